"""Comments grouped by the words that recur in them: jieba segments Chinese, English is split
into words; stop words and one-character words carry no topic and are left out."""

from __future__ import annotations

import logging
import re
import warnings
from dataclasses import dataclass

with warnings.catch_warnings():
    # jieba 0.42 imports pkg_resources, which warns of its own deprecation on every start.
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
    import jieba

jieba.setLogLevel(logging.WARNING)

# A word must recur in at least this many comments to form a group.
MIN_COMMENTS = 2
MAX_GROUPS = 30

_CHINESE_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_LATIN_WORD = re.compile(r"[a-z0-9]+(?:['’-][a-z0-9]+)*")

_STOP_ZH = """
    我们 你们 他们 她们 它们 自己 这个 那个 这些 那些 一些 一个 一下 一点 一直 没有 不是 就是
    还是 但是 而且 因为 所以 如果 虽然 然后 已经 可以 可能 应该 需要 觉得 感觉 非常 比较 特别
    真的 有点 有些 什么 怎么 为什么 这样 那样 这里 那里 今年 去年 明年 今天 时候 希望 建议 很多
    还有 以及 或者 并且 其他 其中 对于 关于 通过 进行 一样 大家 东西 问题 情况 方面 地方 总体
"""

_STOP_EN = """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each even ever few
    for from further get got had has have having he her here hers him his how i if in into is it
    its itself just let like lot lots make many may me might more most much must my no nor not
    now of off on once one only or other our ours out over own quite really same see she should
    so some still such than that the their theirs them then there these they this those through
    to too under until up us very was we well were what when where which while who whom why will
    with would year years you your yours day days next last
"""
STOP_WORDS_ZH = frozenset(_STOP_ZH.split())
STOP_WORDS_EN = frozenset(_STOP_EN.split())


@dataclass
class WordGroup:
    word: str
    comments: list[str]

    @property
    def count(self) -> int:
        return len(self.comments)


def words_of(text: str) -> set[str]:
    """The topic words of one comment (each counted once per comment)."""
    found: set[str] = set()
    position = 0
    for run in _CHINESE_RUN.finditer(text):
        found |= _english_words(text[position : run.start()])
        found |= {
            word
            for word in jieba.lcut(run.group(), HMM=True)
            if len(word) >= 2 and word not in STOP_WORDS_ZH
        }
        position = run.end()
    found |= _english_words(text[position:])
    return found


def _english_words(text: str) -> set[str]:
    return {
        word
        for word in _LATIN_WORD.findall(text.lower())
        if len(word) >= 3 and not word.isdigit() and word not in STOP_WORDS_EN
    }


def word_groups(
    comments: list[str], min_comments: int = MIN_COMMENTS, limit: int = MAX_GROUPS
) -> list[WordGroup]:
    """Words found in at least `min_comments` comments, most frequent first (ties by word),
    each with the comments that contain it."""
    groups: dict[str, list[str]] = {}
    for comment in comments:
        for word in words_of(comment):
            groups.setdefault(word, []).append(comment)
    found = [WordGroup(w, c) for w, c in groups.items() if len(c) >= min_comments]
    found.sort(key=lambda g: (-g.count, g.word))
    return found[:limit]
