"""Demo categories: the hardware fair's product tree, two levels, named in Chinese and English.
Exhibitors offer leaves of it and visitors seek them (their demo data), which matchmaking reads."""

from __future__ import annotations

from expo_crm.categories.services import save_category

# (code, Chinese, English, the leaves under it)
TREE = (
    (
        "TOOLS",
        "五金工具",
        "Hand tools",
        (
            ("TOOLS.HAND", "手动工具", "Hand tool sets"),
            ("TOOLS.MEASURE", "测量工具", "Measuring tools"),
            ("TOOLS.CUT", "刀具与剪切工具", "Cutting tools"),
        ),
    ),
    (
        "POWER",
        "电动工具",
        "Power tools",
        (
            ("POWER.DRILL", "电钻", "Drills"),
            ("POWER.GRIND", "角磨机", "Angle grinders"),
            ("POWER.CORDLESS", "锂电工具", "Cordless tools"),
        ),
    ),
    (
        "FAST",
        "紧固件",
        "Fasteners",
        (
            ("FAST.BOLT", "螺栓螺母", "Bolts and nuts"),
            ("FAST.ANCHOR", "膨胀螺丝", "Anchors"),
        ),
    ),
    (
        "LOCK",
        "锁具安防",
        "Locks and security",
        (
            ("LOCK.DOOR", "门锁", "Door locks"),
            ("LOCK.SMART", "智能锁", "Smart locks"),
            ("LOCK.PAD", "挂锁", "Padlocks"),
        ),
    ),
    (
        "BATH",
        "卫浴五金",
        "Sanitary hardware",
        (
            ("BATH.FAUCET", "水龙头", "Faucets"),
            ("BATH.SHOWER", "花洒", "Shower sets"),
        ),
    ),
    (
        "FIT",
        "门窗配件",
        "Door and window fittings",
        (
            ("FIT.HINGE", "合页", "Hinges"),
            ("FIT.HANDLE", "拉手", "Handles"),
        ),
    ),
    (
        "GARDEN",
        "园林工具",
        "Garden tools",
        (
            ("GARDEN.PRUNE", "修枝剪", "Pruners"),
            ("GARDEN.SPRAY", "喷雾器", "Sprayers"),
        ),
    ),
    (
        "WELD",
        "焊接设备",
        "Welding equipment",
        (
            ("WELD.MACHINE", "焊机", "Welders"),
            ("WELD.ROD", "焊条焊丝", "Electrodes and wire"),
        ),
    ),
)


def seed(ctx) -> None:
    """The tree, saved as staff would save it; ctx.categories maps each code to its id."""
    ids: dict[str, int] = {}
    for code, zh, en, leaves in TREE:
        parent = save_category(code=code, name_zh=zh, name_en=en, parent_id=None)
        ids[code] = parent.id
        for leaf_code, leaf_zh, leaf_en in leaves:
            ids[leaf_code] = save_category(
                code=leaf_code, name_zh=leaf_zh, name_en=leaf_en, parent_id=parent.id
            ).id
    ctx.categories = ids
    ctx.notes.append(f"categories: {len(ids)} in a tree of {len(TREE)} branches")
