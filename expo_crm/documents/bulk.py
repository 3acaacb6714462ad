"""Many pages as one PDF, on every core and in bounded memory.

The pages come as chunks of finished HTML. Worker processes render each chunk as one
WeasyPrint document (fonts subset once per chunk) into a file of its own; the parent copies
each finished chunk's pages into the output file as it arrives, in order, object by object,
so neither the parent nor a worker ever holds more than a few chunks, whatever the total.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

# A worker is replaced after this many chunks, so whatever WeasyPrint caches cannot pile up.
CHUNKS_PER_WORKER = 25


@dataclass(frozen=True)
class ChunkResult:
    pages: int
    peak_rss_kib: int  # the worker's peak resident memory so far


@dataclass(frozen=True)
class BuildStats:
    pages: int
    chunks: int
    workers: int
    peak_rss_kib: int  # the parent's
    worker_peak_rss_kib: int  # the largest of any worker's


def peak_rss_kib() -> int:
    """This process's peak resident memory (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def render_chunk(html: str, static_folder: str, path: str) -> ChunkResult:
    """One chunk of pages: HTML -> a PDF file. Runs in a worker process; loads only the app's
    own static files."""
    from weasyprint import HTML

    from expo_crm.documents.pdf import STATIC_PREFIX, StaticOnlyFetcher

    document = HTML(
        string=html, base_url=STATIC_PREFIX, url_fetcher=StaticOnlyFetcher(static_folder)
    ).render()
    document.write_pdf(path)
    return ChunkResult(pages=len(document.pages), peak_rss_kib=peak_rss_kib())


def _warm_up(static_folder: str) -> None:
    """Each worker loads WeasyPrint and its fonts once, before its first chunk."""
    render_chunk("<p>·</p>", static_folder, os.devnull)


class PdfConcatenation:
    """Writes the pages of several PDF files into one, a file at a time: each file's objects are
    renumbered and written out at once, so only the current file is ever held in memory."""

    CATALOG, PAGES = 1, 2

    def __init__(self, stream: BinaryIO):
        self.stream = stream
        self.offsets: dict[int, int] = {}
        self.kids: list[int] = []
        self.next_number = 3
        stream.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    def append(self, path: str | Path) -> int:
        """Copy every page of the PDF at `path`; returns how many."""
        from pypdf import PdfReader

        reader = PdfReader(str(path))
        numbers: dict[tuple[int, int], int] = {}
        pending: deque = deque()
        pages = list(reader.pages)
        # Pages first, so that a reference to a page from elsewhere finds it numbered.
        for page in pages:
            reference = page.indirect_reference
            numbers[(reference.idnum, reference.generation)] = self.next_number
            self.next_number += 1
        for page in pages:
            reference = page.indirect_reference
            number = numbers[(reference.idnum, reference.generation)]
            copied = self._renumbered(
                {key: value for key, value in page.items() if key != "/Parent"}, numbers, pending
            )
            copied[_name("/Parent")] = _reference(self.PAGES)
            self._write(number, copied)
            self.kids.append(number)
        while pending:
            reference = pending.popleft()
            number = numbers[(reference.idnum, reference.generation)]
            self._write(number, self._renumbered(reference.get_object(), numbers, pending))
        return len(pages)

    def _number_of(self, reference, numbers: dict, pending: deque) -> int:
        key = (reference.idnum, reference.generation)
        if key not in numbers:
            numbers[key] = self.next_number
            self.next_number += 1
            pending.append(reference)
        return numbers[key]

    def _renumbered(self, value, numbers: dict, pending: deque):
        from pypdf.generic import (
            ArrayObject,
            DictionaryObject,
            IndirectObject,
            StreamObject,
        )

        if isinstance(value, IndirectObject):
            return _reference(self._number_of(value, numbers, pending))
        if isinstance(value, StreamObject):
            copied = value.__class__()
            copied._data = value._data  # the bytes as stored, still encoded by their /Filter
            for key, item in value.items():
                copied[key] = self._renumbered(item, numbers, pending)
            return copied
        if isinstance(value, dict):
            return DictionaryObject(
                {key: self._renumbered(item, numbers, pending) for key, item in value.items()}
            )
        if isinstance(value, list):
            return ArrayObject(self._renumbered(item, numbers, pending) for item in value)
        return value

    def _write(self, number: int, value) -> None:
        self.offsets[number] = self.stream.tell()
        self.stream.write(f"{number} 0 obj\n".encode())
        value.write_to_stream(self.stream)
        self.stream.write(b"\nendobj\n")

    def finish(self) -> None:
        """The page tree, the catalogue, the cross-reference table and the trailer."""
        from pypdf.generic import ArrayObject, DictionaryObject, NumberObject

        pages = DictionaryObject(
            {
                _name("/Type"): _name("/Pages"),
                _name("/Kids"): ArrayObject(_reference(kid) for kid in self.kids),
                _name("/Count"): NumberObject(len(self.kids)),
            }
        )
        self._write(self.PAGES, pages)
        catalog = DictionaryObject(
            {_name("/Type"): _name("/Catalog"), _name("/Pages"): _reference(self.PAGES)}
        )
        self._write(self.CATALOG, catalog)
        xref = self.stream.tell()
        size = self.next_number
        lines = [f"xref\n0 {size}\n", "0000000000 65535 f \n"]
        for number in range(1, size):
            offset = self.offsets.get(number)
            lines.append(
                f"{offset:010d} 00000 n \n" if offset is not None else "0000000000 00000 f \n"
            )
        self.stream.write("".join(lines).encode())
        self.stream.write(
            f"trailer\n<< /Size {size} /Root {self.CATALOG} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
        )


def _name(text: str):
    from pypdf.generic import NameObject

    return NameObject(text)


def _reference(number: int):
    from pypdf.generic import IndirectObject

    return IndirectObject(number, 0, None)  # type: ignore[arg-type]


def build_pdf(
    chunks: Iterable[str],
    output: str | Path,
    *,
    static_folder: str,
    workers: int | None = None,
    on_chunk: Callable[[int], None] | None = None,
) -> BuildStats:
    """Render each chunk of HTML on a pool of worker processes and write their pages, in order,
    to `output`. `on_chunk(pages)` is called in this process after each chunk is written.
    At most two chunks per worker are in flight, so memory does not grow with the total."""
    workers = workers or os.cpu_count() or 1
    output = Path(output)
    if workers == 1:
        return _build_here(chunks, output, static_folder, on_chunk)
    scratch = output.with_name(output.name + ".chunks")
    scratch.mkdir(parents=True, exist_ok=True)
    in_flight: deque[tuple[Future, Path]] = deque()
    total = chunk_count = 0
    worker_peak = 0
    # Spawned, not forked: the caller may be a threaded scheduler holding database connections.
    context = multiprocessing.get_context("spawn")
    try:
        with (
            ProcessPoolExecutor(
                workers,
                mp_context=context,
                initializer=_warm_up,
                initargs=(static_folder,),
                max_tasks_per_child=CHUNKS_PER_WORKER,
            ) as pool,
            open(output, "wb") as stream,
        ):
            concatenation = PdfConcatenation(stream)

            def take_oldest() -> None:
                nonlocal total, worker_peak
                future, path = in_flight.popleft()
                result = future.result()
                worker_peak = max(worker_peak, result.peak_rss_kib)
                copied = concatenation.append(path)
                path.unlink()
                total += copied
                if on_chunk is not None:
                    on_chunk(copied)

            try:
                for html in chunks:
                    path = scratch / f"{chunk_count:06d}.pdf"
                    future = pool.submit(render_chunk, html, static_folder, str(path))
                    in_flight.append((future, path))
                    chunk_count += 1
                    if len(in_flight) >= 2 * workers:
                        take_oldest()
                while in_flight:
                    take_oldest()
            except BaseException:
                pool.shutdown(cancel_futures=True)  # nothing more is drawn for a failed build
                raise
            concatenation.finish()
    finally:
        for leftover in scratch.glob("*.pdf"):
            leftover.unlink()
        scratch.rmdir()
    return BuildStats(total, chunk_count, workers, peak_rss_kib(), worker_peak)


def _build_here(
    chunks: Iterable[str],
    output: Path,
    static_folder: str,
    on_chunk: Callable[[int], None] | None,
) -> BuildStats:
    """One worker's worth (a chunk or so): rendered in this process, without starting a pool."""
    scratch = output.with_name(output.name + ".chunk")
    total = chunk_count = 0
    try:
        with open(output, "wb") as stream:
            concatenation = PdfConcatenation(stream)
            for html in chunks:
                render_chunk(html, static_folder, str(scratch))
                copied = concatenation.append(scratch)
                total += copied
                chunk_count += 1
                if on_chunk is not None:
                    on_chunk(copied)
            concatenation.finish()
    finally:
        scratch.unlink(missing_ok=True)
    return BuildStats(total, chunk_count, 1, peak_rss_kib(), peak_rss_kib())
