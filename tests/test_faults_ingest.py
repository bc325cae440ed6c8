"""Ingest under faults and hostile input (issue 18, the ingest side).

Each case makes one hostile input or fault beside a few good documents and asserts the promise: one clear line
naming the file and the problem, the documented exit code (0; 1 with --strict when a file failed), no traceback,
the rest ingested, and a corpus whose integrity check passes and whose documents equal a clean run's.
The fuzz tests feed readers and cleaners truncated and byte-flipped real PDFs and random Unicode text, seeded, and
assert that nothing but a ReadError (a clean "failed" line) ever escapes.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import REAL_PDFS, requires_shared
from typer.testing import CliRunner

from policytekst import Corpus
from policytekst.cli import app
from policytekst.read import ReadError, iter_table, read_file
from policytekst.segment import FRONT_MAX_WORDS, HARD_MAX_WORDS

SENTENCES = [
    "Kommunen skal sørge for at brukerne får et helhetlig og samordnet tjenestetilbud.",
    "Evalueringen viser at samarbeidet mellom etatene har blitt bedre de siste årene.",
    "Mange ansatte opplever likevel at ansvarsdelingen er uklar i det daglige arbeidet.",
    "Reformen ble innført gradvis, og de første kontorene åpnet høsten etter vedtaket.",
    "Brukerundersøkelsen tyder på at tilfredsheten har økt, særlig blant unge søkere.",
]


def good_text(i: int, n: int = 12) -> str:
    """A distinct, punctuated Norwegian text written for these tests (never copied from ../shared)."""
    rng = random.Random(i)
    body = " ".join(rng.choice(SENTENCES) for _ in range(n))
    return f"Notat nummer {i}\n\nDette er notat {i} om tjenestene i kommune {i}. {body}\n"


def write_good(folder: Path, n: int = 3) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f"god_{i}.txt"
        path.write_text(good_text(i), encoding="utf-8")
        paths.append(path)
    return paths


def ingest(*args: str) -> tuple[int, list[dict], str]:
    """Run `ingest ... --json`; (exit code, result records, stderr). A traceback fails the test."""
    result = CliRunner().invoke(app, ["ingest", *args, "--json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"an exception escaped: {result.exception!r}\n{result.stderr}")
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    records = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return result.exit_code, records, result.stderr


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.stderr + result.stdout
    return result.exit_code, result.stdout, result.stderr


def texts(corpus_dir: Path) -> list[str]:
    """The documents' clean texts, sorted: what must equal a clean run's."""
    with Corpus.open(corpus_dir) as corpus:
        return sorted(corpus.text(doc.doc_id) for doc in corpus.documents())


def integrity(corpus_dir: Path) -> None:
    conn = sqlite3.connect(corpus_dir / "corpus.sqlite")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        orphans = conn.execute("SELECT COUNT(*) FROM passages WHERE doc_id NOT IN (SELECT doc_id FROM documents)")
        assert orphans.fetchone()[0] == 0
    finally:
        conn.close()


def assert_rest_equals_clean(tmp_path: Path, folder: Path, corpus_dir: Path, good: list[Path]) -> None:
    """The hostile run's documents equal a clean run over only the good files, and the store is sound."""
    clean_dir = tmp_path / "clean_corpus"
    code, _, _ = ingest(*map(str, good), "--corpus", str(clean_dir))
    assert code == 0
    integrity(corpus_dir)
    assert texts(corpus_dir) == texts(clean_dir)


def by_name(records: list[dict], fragment: str) -> dict:
    found = [r for r in records if fragment in r["path"]]
    assert len(found) == 1, (fragment, records)
    return found[0]


# -- hostile files in a folder: one line, the rest goes on ----------------------------------------------------

def _gz_not_gzip(folder: Path) -> str:
    (folder / "tabell.csv.gz").write_bytes(b"id,text\n1,Dette er ikke gzip i det hele tatt.\n")
    return "tabell.csv.gz"


def _binary_txt(folder: Path) -> str:
    (folder / "bilde.txt").write_bytes(bytes(range(256)) * 40)
    return "bilde.txt"


def _empty_docx(folder: Path) -> str:
    (folder / "tom.docx").write_bytes(b"PK\x03\x04 not really a zip")
    return "tom.docx"


def _garbage_pdf(folder: Path) -> str:
    (folder / "rot.pdf").write_bytes(b"%PDF-1.4\n" + bytes(random.Random(5).randrange(256) for _ in range(3000)))
    return "rot.pdf"


def _empty_html(folder: Path) -> str:
    (folder / "side.html").write_text("<html><head><title>x</title></head><body><script>alert(1)</script>"
                                      "</body></html>", encoding="utf-8")
    return "side.html"


FAILING = {
    "csv.gz that is not gzip": (_gz_not_gzip, "not a gzipped file"),
    "binary bytes as .txt": (_binary_txt, "binary content"),
    "docx that is not a zip": (_empty_docx, "not a valid DOCX"),
    "garbage after a PDF header": (_garbage_pdf, "PDF"),
    "HTML with no main text": (_empty_html, "no main text"),
}


@pytest.mark.parametrize("case", list(FAILING), ids=list(FAILING))
def test_a_bad_file_is_one_failed_line_and_the_rest_is_ingested(tmp_path: Path, case: str) -> None:
    make, reason = FAILING[case]
    folder = tmp_path / "src"
    good = write_good(folder)
    name = make(folder)
    corpus_dir = tmp_path / "corpus"
    code, records, stderr = ingest(str(folder), "--corpus", str(corpus_dir))
    assert code == 0
    bad = by_name(records, name)
    assert bad["status"] == "failed" and name in bad["error"] and reason.lower() in bad["error"].lower()
    assert "\n" not in bad["error"]
    assert sorted(r["status"] for r in records if r is not bad) == ["added"] * 3
    assert_rest_equals_clean(tmp_path, folder, corpus_dir, good)
    code, _, _ = ingest(str(folder), "--corpus", str(corpus_dir), "--strict")
    assert code == 1, "--strict exits 1 when a file failed"


def test_header_only_table_is_failed_not_unchanged(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "bare_header.csv").write_text("id,text\n", encoding="utf-8")
    code, records, _ = ingest(str(folder / "bare_header.csv"), "--corpus", str(tmp_path / "corpus"))
    assert records[0]["status"] == "failed" and "no rows" in records[0]["error"]


def test_non_utf8_byte_deep_in_a_csv_costs_no_row_and_names_the_row(tmp_path: Path) -> None:
    """A UTF-8 table with one cp1252 byte after its first 64 KiB: every row stored, the odd row named."""
    rows = [(f"s{i}", good_text(i, n=4)) for i in range(400)]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "text"])
    writer.writerows(rows)
    data = buffer.getvalue().encode("utf-8")
    assert len(data) > 65536 * 1.5
    bad_row = 300
    marker = f"s{bad_row},".encode()
    at = data.index(marker) + len(marker) + 1
    assert at > 65536
    data = data[:at] + "Sjå på dette: ".encode("cp1252") + data[at:]  # å as the single byte 0xE5
    path = tmp_path / "sporsmal.csv"
    path.write_bytes(data)
    code, records, _ = ingest(str(path), "--corpus", str(tmp_path / "corpus"))
    assert code == 0
    (result,) = records
    assert result["status"] == "added" and result["rows"]["added"] == len(rows) and result["rows"]["failed"] == 0
    assert any(f"row {bad_row + 1}:" in w and "cp1252" in w for w in result["warnings"]), result["warnings"]
    with Corpus.open(tmp_path / "corpus") as corpus:
        assert len(corpus.documents()) == len(rows)
        doc = next(d for d in corpus.documents() if d.doc_id.endswith(f"-s{bad_row}"))
        assert "Sjå på dette" in corpus.text(doc.doc_id)


def test_a_legacy_cp1252_table_is_read_without_per_row_warnings(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(("id,text\n" + "".join(f"{i},\"{good_text(i, 3).strip()}\"\n" for i in range(5)))
                     .encode("cp1252"))
    rows = list(iter_table(path))
    assert len(rows) == 5 and "kommune" in rows[0].pages[0].text
    assert "æ" in "".join(r.pages[0].text for r in rows) or "ø" in "".join(r.pages[0].text for r in rows)
    assert not any(r.warnings for r in rows)


def test_table_read_error_mid_file_reports_rows_stored(tmp_path: Path) -> None:
    rng = random.Random(2)  # random letters, so gzip cannot shrink the table to a few blocks
    data = gzip.compress(("id,text\n" + "".join(
        f"{i},\"{good_text(i, 2).strip()} {''.join(rng.choice('abcdefghij ') for _ in range(600))}.\"\n"
        for i in range(120))).encode())
    path = tmp_path / "kuttet.csv.gz"
    path.write_bytes(data[: int(len(data) * 0.6)])
    code, records, _ = ingest(str(path), "--corpus", str(tmp_path / "corpus"))
    (result,) = records
    assert result["status"] == "failed" and "rows stored" in result["error"]
    stored = result["rows"]["added"]
    assert 0 < stored < 120
    with Corpus.open(tmp_path / "corpus") as corpus:
        assert len(corpus.documents()) == stored
    # the rows never read did not vanish: a re-run with --prune keeps what was stored
    code, records, _ = ingest(str(path), "--corpus", str(tmp_path / "corpus"), "--prune")
    assert not [r for r in records if r["status"] == "removed"]


# -- sidecars ---------------------------------------------------------------------------------------------

def test_sidecar_problems_are_lines_naming_sidecar_row_and_field(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    good = write_good(folder, 3)
    (folder / "metadata.csv").write_bytes(
        "file,title,year\n"
        f"{good[0].name},Årsmelding for Bærum,ca. 2005\n"
        f"{good[1].name},Notat,ukjent\n".encode("cp1252"))  # Excel on Windows saves cp1252
    yaml_folder = tmp_path / "yaml"
    yaml_good = write_good(yaml_folder, 1)
    (yaml_folder / "metadata.yaml").write_text(f"{yaml_good[0].name}:\n  title: [uavsluttet\n", encoding="utf-8")
    corpus_dir = tmp_path / "corpus"
    code, records, _ = ingest(str(folder), str(yaml_folder), "--corpus", str(corpus_dir))
    assert code == 0
    warnings = [w for r in records for w in r["warnings"]]
    assert any("metadata.csv, row 2: field year: 'ca. 2005' read as 2005" in w for w in warnings), warnings
    assert any("metadata.csv, row 3: field year: 'ukjent' is not a year" in w for w in warnings), warnings
    assert any("metadata.yaml: metadata sidecar is not valid YAML at line" in w for w in warnings), warnings
    assert sum(r["status"] == "added" for r in records) == 4
    with Corpus.open(corpus_dir) as corpus:
        docs = {d.path: d for d in corpus.documents()}
    assert docs[str(good[0])].year == 2005 and docs[str(good[0])].title == "Årsmelding for Bærum"
    assert docs[str(good[1])].title == "Notat" and docs[str(good[1])].year is None


# -- names, markup, special files -------------------------------------------------------------------------

def test_markup_in_paths_and_titles_is_printed_as_text(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    folder.mkdir()
    hostile = folder / "[bold]rapport[red].txt"  # a file name cannot hold "/": the closing tags go in the text
    hostile.write_text("# [/x] Tittel med [bold] markup\n\n" + good_text(7), encoding="utf-8")
    bad = folder / "[red]feil[bold].pdf"
    bad.write_bytes(b"not a pdf at all")
    corpus_dir = str(tmp_path / "corpus")
    result = CliRunner().invoke(app, ["ingest", str(folder), "--corpus", corpus_dir])
    assert result.exit_code == 0, result.stderr
    assert "[red]feil[bold].pdf" in result.stderr, "the error line names the right file"
    for command in (["status"], ["docs"], ["passages"]):
        code, stdout, stderr = cli(*command, "--corpus", corpus_dir)
        assert code == 0, (command, stderr)
    code, stdout, _ = cli("status", "--corpus", corpus_dir)
    assert "[red]feil[bold].pdf" in stdout
    code, stdout, _ = cli("passages", "--corpus", corpus_dir)
    assert "[body]" in stdout and "[/x] Tittel med [bold] markup" in stdout
    code, stdout, _ = cli("docs", "--corpus", corpus_dir)
    assert "[/x]" in stdout or "[bold]" in stdout


def test_a_file_name_that_is_not_utf8_does_not_stop_the_run(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    good = write_good(folder, 2)
    odd = os.path.join(os.fsencode(folder), b"notat_\xe6\xf8.txt")
    try:
        with open(odd, "wb") as handle:
            handle.write(good_text(9).encode("utf-8"))
    except OSError:
        pytest.skip("this file system refuses file names that are not UTF-8")
    corpus_dir = tmp_path / "corpus"
    result = CliRunner().invoke(app, ["ingest", str(folder), "--corpus", str(corpus_dir)])
    assert result.exit_code == 0 and result.exception is None or isinstance(result.exception, SystemExit)
    code, records, _ = ingest(str(folder), "--corpus", str(corpus_dir), "--force")
    assert [r["status"] for r in records].count("updated") == 3
    odd_record = by_name(records, "\\xe6\\xf8")
    assert odd_record["doc_id"]
    integrity(corpus_dir)
    assert len(texts(corpus_dir)) == len(good) + 1


@pytest.mark.slow  # a subprocess: a few seconds of start-up
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need POSIX")
def test_a_named_pipe_and_a_device_link_are_skipped_not_read(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    good = write_good(folder, 2)
    os.mkfifo(folder / "pipe.txt")
    (folder / "zero.txt").symlink_to("/dev/zero")
    # a subprocess, so a regression that blocks on the pipe fails by timeout instead of hanging the suite
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.run([sys.executable, "-m", "policytekst", "ingest", str(folder), "--corpus",
                           str(tmp_path / "corpus"), "--json"], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    for name, kind in (("pipe.txt", "named pipe"), ("zero.txt", "character device")):
        record = by_name(records, name)
        assert record["status"] == "skipped" and kind in record["error"] and name in record["error"]
    assert_rest_equals_clean(tmp_path, folder, tmp_path / "corpus", good)


def _docx_bomb(path: Path, inflated_mb: int) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph(good_text(3))
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/padding.bin", b"\0" * (inflated_mb * 2**20))
    path.write_bytes(buffer.getvalue())


def test_size_caps_refuse_a_docx_bomb_and_a_huge_file_with_a_way_out(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    good = write_good(folder, 2)
    _docx_bomb(folder / "bombe.docx", 24)
    assert (folder / "bombe.docx").stat().st_size < 2**20
    (folder / "stor.txt").write_text(good_text(4) * 3000, encoding="utf-8")
    assert (folder / "stor.txt").stat().st_size > 2**20
    corpus_dir = tmp_path / "corpus"
    code, records, _ = ingest(str(folder), "--corpus", str(corpus_dir), "--max-mb", "1")
    assert code == 0
    bomb, big = by_name(records, "bombe.docx"), by_name(records, "stor.txt")
    assert bomb["status"] == "failed" and "inflates to 2" in bomb["error"] and "--max-mb" in bomb["error"]
    assert big["status"] == "failed" and "too large" in big["error"] and "--max-mb" in big["error"]
    assert_rest_equals_clean(tmp_path, folder, corpus_dir, good)
    (folder / "stor.txt").unlink()  # only the bomb is read again, so the test stays quick
    code, records, _ = ingest(str(folder), "--corpus", str(corpus_dir), "--max-mb", "100")
    assert by_name(records, "bombe.docx")["status"] == "added"


def test_unlistable_folder_and_unreadable_file_are_told_and_never_pruned(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "src"
    good = write_good(folder, 2)
    locked = folder / "laast"
    inner = write_good(locked, 1)
    corpus_dir = tmp_path / "corpus"
    ingest(str(folder), "--corpus", str(corpus_dir))
    secret = folder / "hemmelig.txt"
    secret.write_text(good_text(8), encoding="utf-8")
    real_scandir, real_read = os.scandir, Path.read_bytes

    def scandir(path=".", *args):  # as chmod 000 would (and does, for every user but root)
        if Path(os.fsdecode(path)).name == "laast":
            raise PermissionError(13, "Permission denied", os.fsdecode(path))
        return real_scandir(path, *args)

    def read_bytes(self):
        if self.name == "hemmelig.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real_read(self)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    code, records, _ = ingest(str(folder), "--corpus", str(corpus_dir), "--prune")
    monkeypatch.undo()
    assert code == 0
    folder_line = by_name(records, "laast")
    assert folder_line["status"] == "failed" and "cannot be listed (Permission denied)" in folder_line["error"]
    secret_line = by_name(records, "hemmelig.txt")
    assert secret_line["status"] == "failed" and "Permission denied" in secret_line["error"]
    assert not [r for r in records if r["status"] == "removed"], "an unlistable folder's documents are not pruned"
    assert len(texts(corpus_dir)) == len(good) + len(inner)


# -- vanished sources, prune, same content ------------------------------------------------------------------

@pytest.mark.parametrize("keys_in_memory", [50_000, 2], ids=["in-memory", "spilled-to-disk"])
def test_renamed_and_deleted_sources_are_reported_and_pruned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             keys_in_memory: int) -> None:
    # with a bound of 2 the run's seen source keys live in a temporary file: the same sources vanish
    monkeypatch.setattr("policytekst.ingest.SEEN_IN_MEMORY", keys_in_memory)
    folder = tmp_path / "src"
    good = write_good(folder, 4)
    corpus_dir = tmp_path / "corpus"
    ingest(str(folder), "--corpus", str(corpus_dir))
    good[0].unlink()
    good[1].rename(folder / "omdopt.txt")
    code, records, stderr = ingest(str(folder), "--corpus", str(corpus_dir))
    assert code == 0
    assert sorted(Path(r["path"]).name for r in records if r["status"] == "vanished") == [good[0].name, good[1].name]
    renamed = by_name(records, "omdopt.txt")
    assert renamed["status"] == "added" and any("same content as" in w for w in renamed["warnings"])
    assert len(texts(corpus_dir)) == 5, "without --prune nothing is removed"
    code, records, _ = ingest(str(folder), "--corpus", str(corpus_dir), "--prune")
    assert sorted(Path(r["path"]).name for r in records if r["status"] == "removed") == [good[0].name, good[1].name]
    assert_rest_equals_clean(tmp_path, folder, corpus_dir, sorted(folder.glob("*.txt")))
    code, records, _ = ingest(str(folder), "--corpus", str(corpus_dir), "--prune")
    assert {r["status"] for r in records} == {"unchanged"}


def test_a_table_reingested_with_another_id_column_is_one_family(tmp_path: Path) -> None:
    path = tmp_path / "sporsmal.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "nr", "text"])
        for i in range(30):
            writer.writerow([f"q{i}", f"n{i}", good_text(i, 5)])
    corpus_dir = tmp_path / "corpus"
    ingest(str(path), "--corpus", str(corpus_dir), "--id-column", "id")
    code, records, _ = ingest(str(path), "--corpus", str(corpus_dir), "--id-column", "nr")
    table = by_name([r for r in records if r["status"] not in ("vanished",)], "sporsmal.csv")
    assert any("30 new rows have the same content" in w for w in table["warnings"]), table["warnings"]
    assert sum(r["status"] == "vanished" for r in records) == 30
    code, records, _ = ingest(str(path), "--corpus", str(corpus_dir), "--id-column", "nr", "--prune")
    assert sum(r["status"] == "removed" for r in records) == 30
    assert len(texts(corpus_dir)) == 30
    integrity(corpus_dir)


# -- locks, workers, the store ------------------------------------------------------------------------------

def test_lock_refusal_says_whether_the_holder_is_alive(tmp_path: Path) -> None:
    from filelock import FileLock

    from policytekst.ingest import LOCK_HOLDER_NAME, LOCK_NAME, CorpusLockedError, ingest_lock

    tmp_path.mkdir(exist_ok=True)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / LOCK_HOLDER_NAME).write_text(str(dead.pid), encoding="utf-8")
    held = FileLock(tmp_path / LOCK_NAME)
    held.acquire()
    try:
        with pytest.raises(CorpusLockedError, match="no longer running"), ingest_lock(tmp_path):
            pass
        (tmp_path / LOCK_HOLDER_NAME).write_text(str(os.getpid()), encoding="utf-8")
        with pytest.raises(CorpusLockedError, match="still running"), ingest_lock(tmp_path):
            pass
    finally:
        held.release()


def test_disk_full_is_one_line_naming_the_cause(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from policytekst.store import Store

    folder = tmp_path / "src"
    write_good(folder, 3)
    calls = {"n": 0}
    original = Store.write_document

    def full(self, processed, source_key):
        calls["n"] += 1
        if calls["n"] == 2:
            raise sqlite3.OperationalError("database or disk is full")
        return original(self, processed, source_key)

    monkeypatch.setattr(Store, "write_document", full)
    result = CliRunner().invoke(app, ["ingest", str(folder), "--corpus", str(tmp_path / "corpus")])
    assert result.exit_code == 1
    assert "disk is full" in result.stderr and "cannot write to the corpus" in result.stderr
    assert "Traceback" not in result.stderr
    integrity(tmp_path / "corpus")
    assert len(texts(tmp_path / "corpus")) == 1


def kill_worker_on_boom(path: str, *args):
    """Stands in for the worker body: a file named *boom* kills its worker as the OOM killer would."""
    from policytekst.ingest import _process_file

    if "boom" in Path(path).name:
        os.kill(os.getpid(), signal.SIGKILL)
    return _process_file(path, *args)


@pytest.mark.slow
def test_a_killed_worker_fails_only_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import policytekst.ingest as ingest_module

    folder = tmp_path / "src"
    good = write_good(folder, 6)
    (folder / "god_2_boom.txt").write_text(good_text(20), encoding="utf-8")
    monkeypatch.setattr(ingest_module, "_process_file", kill_worker_on_boom)
    code, records, _ = ingest(str(folder), "--corpus", str(tmp_path / "corpus"), "--workers", "2")
    assert code == 0
    boom = by_name(records, "boom")
    assert boom["status"] == "failed" and "worker" in boom["error"]
    assert sorted(r["status"] for r in records if r is not boom) == ["added"] * 6
    monkeypatch.undo()
    assert_rest_equals_clean(tmp_path, folder, tmp_path / "corpus", good)


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="kill -9 of a process group: Linux")
def test_kill_9_during_a_parallel_ingest_leaves_no_worker_and_no_lock(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    # enough files that the ingest is still running when it is killed (it got fast; 60 files were done in 1 s)
    for i in range(200):
        (folder / f"d{i:03d}.txt").parent.mkdir(exist_ok=True)
        (folder / f"d{i:03d}.txt").write_text(good_text(i, 80), encoding="utf-8")
    corpus_dir = tmp_path / "corpus"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([sys.executable, "-m", "policytekst", "ingest", str(folder), "--corpus", str(corpus_dir),
                             "--workers", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.time() + 60
    while time.time() < deadline and not _children(proc.pid):
        time.sleep(0.05)
    children = _children(proc.pid)
    assert children, "the ingest started worker processes"
    time.sleep(0.3)
    children = sorted(set(children) | set(_children(proc.pid)))
    assert proc.poll() is None, "the ingest was still running when killed (else the test proves nothing)"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.time() + 20
    while time.time() < deadline and any(_alive(pid) for pid in children):
        time.sleep(0.2)
    assert not any(_alive(pid) for pid in children), "workers end with their parent"
    code, records, stderr = ingest(str(folder), "--corpus", str(corpus_dir))
    assert code == 0, stderr
    assert_rest_equals_clean(tmp_path, folder, corpus_dir, sorted(folder.glob("*.txt")))


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


# -- text without sentence punctuation ----------------------------------------------------------------------

def test_text_without_punctuation_is_bounded_passages_of_body_text(tmp_path: Path) -> None:
    rng = random.Random(11)
    words = "kommune stat velferd bruker tiltak arbeid helse skole barn familie ansvar tjeneste".split()
    path = tmp_path / "transkripsjon.txt"
    path.write_text(" ".join(rng.choice(words) for _ in range(3000)), encoding="utf-8")
    corpus_dir = tmp_path / "corpus"
    code, records, _ = ingest(str(path), "--corpus", str(corpus_dir))
    (result,) = records
    assert result["status"] == "added"
    assert any("cut between words" in w for w in result["warnings"])
    assert any("front matter" in w for w in result["warnings"])
    with Corpus.open(corpus_dir) as corpus:
        passages = list(corpus.passages())
    assert max(p.n_words for p in passages) <= HARD_MAX_WORDS
    assert sum(p.n_words for p in passages if p.kind == "body") >= 3000 - FRONT_MAX_WORDS
    assert sum(p.n_words for p in passages) == 3000, "no word is lost or repeated by the cuts"


# -- fuzz -------------------------------------------------------------------------------------------------

def _process_or_readerror(path: Path) -> None:
    from policytekst.pipeline import process

    try:
        raw = read_file(path, max_bytes=50 * 2**20)
    except ReadError:
        return
    process(raw, "fuzz")


def test_fuzz_random_unicode_text_through_reader_and_cleaners(tmp_path: Path) -> None:
    rng = random.Random(18)
    alphabet = ("abcæøå ÆØÅ.,;:!?«»\"'()[]{}<>#*-–—…\n\n\t\f\r\u00ad\u200b\ufeff\ufffe\u0301\u202e"
                "0123456789§%&/\\|$^~`@\x00\x07\x1b")
    for i in range(40):
        n = rng.choice([1, 5, 50, 400, 3000])
        if rng.random() < 0.3:
            text = "".join(chr(rng.randrange(0x20, 0x2FFFF)) for _ in range(n))
        else:
            text = "".join(rng.choice(alphabet) for _ in range(n))
        path = tmp_path / f"fuzz_{i}.{rng.choice(['txt', 'md', 'html'])}"
        path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
        _process_or_readerror(path)


def test_fuzz_random_tables_raise_only_readerror(tmp_path: Path) -> None:
    rng = random.Random(21)
    base = ("id,text,date\n" + "".join(f"{i},\"{good_text(i, 3).strip()}\",200{i % 10}-01-01\n" for i in range(20))
            ).encode("utf-8")
    for i in range(30):
        data = bytearray(base[: rng.randrange(len(base) + 1)])
        for _ in range(rng.randrange(6)):
            if data:
                data[rng.randrange(len(data))] = rng.randrange(256)
        path = tmp_path / f"fuzz_{i}.csv"
        path.write_bytes(bytes(data))
        try:
            list(iter_table(path))
        except ReadError:
            pass


@requires_shared
def test_fuzz_truncated_and_byte_flipped_real_pdfs(tmp_path: Path) -> None:
    pdfs = sorted(REAL_PDFS.glob("*.pdf"))
    if not pdfs:
        pytest.skip(f"no real PDFs at {REAL_PDFS}")
    rng = random.Random(1818)
    outcomes = {"read": 0, "readerror": 0}
    for i in range(24):
        source = pdfs[i % len(pdfs)].read_bytes()
        data = bytearray(source[: rng.randrange(len(source) // 20, len(source) + 1)] if rng.random() < 0.5
                         else source)
        for _ in range(rng.choice([0, 1, 10, 200])):
            data[rng.randrange(len(data))] = rng.randrange(256)
        path = tmp_path / f"fuzz_{i}.pdf"
        path.write_bytes(bytes(data))
        try:
            raw = read_file(path)
        except ReadError:
            outcomes["readerror"] += 1
            continue
        from policytekst.pipeline import process

        process(raw, f"fuzz{i}")
        outcomes["read"] += 1
    assert outcomes["read"] and outcomes["readerror"] >= 0


def test_prune_never_removes_a_source_that_still_exists(tmp_path: Path) -> None:
    """A file the folder walk skips (hidden, a README) but that was ingested by name is not "vanished"."""
    folder = tmp_path / "src"
    good = write_good(folder, 2)
    hidden = folder / ".skjult.txt"
    hidden.write_text(good_text(30), encoding="utf-8")
    readme = folder / "README.md"
    readme.write_text(good_text(31), encoding="utf-8")
    corpus_dir = tmp_path / "corpus"
    ingest(str(folder), str(hidden), str(readme), "--corpus", str(corpus_dir))
    assert len(texts(corpus_dir)) == len(good) + 2
    code, records, _ = ingest(str(folder), "--corpus", str(corpus_dir), "--prune")
    assert code == 0 and not [r for r in records if r["status"] in ("removed", "vanished")]
    assert len(texts(corpus_dir)) == len(good) + 2


def test_one_unloadable_pdf_page_keeps_the_rest_of_the_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    import pypdfium2 as pdfium

    source = Path(__file__).resolve().parents[1] / "corpus" / "2012_rapport_nav_reformen_etter_seks_ar.pdf"
    whole = read_file(source)
    assert whole.n_pages >= 3
    original = pdfium.PdfDocument.__getitem__

    def getitem(self, index):
        if index == 1:  # as pdfium does for a page whose object is damaged
            raise pdfium.PdfiumError("Failed to load page.")
        return original(self, index)

    monkeypatch.setattr(pdfium.PdfDocument, "__getitem__", getitem)
    raw = read_file(source)
    assert raw.n_pages == whole.n_pages and raw.pages[1].text == ""
    assert [p.text for i, p in enumerate(raw.pages) if i != 1] == [p.text for i, p in enumerate(whole.pages) if i != 1]
    assert any("could not be loaded (pages 2)" in w for w in raw.warnings), raw.warnings


def test_a_lock_file_owned_by_another_user_is_one_line(tmp_path, monkeypatch):
    """Item 14: a `.ingest.lock` this user may not open (as root the permission cannot be made real: simulated)."""
    from filelock import FileLock
    from typer.testing import CliRunner

    from policytekst.cli import app

    source = tmp_path / "in"
    source.mkdir()
    (source / "notat.txt").write_text("Et kort notat om samordning mellom etatene i kommunen.\n", encoding="utf-8")

    def refused(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self.lock_file))

    monkeypatch.setattr(FileLock, "acquire", refused)
    result = CliRunner().invoke(app, ["ingest", str(source), "--corpus", str(tmp_path / "corpus")])
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.exit_code == 1 and len(lines) == 1, result.output
    assert ".ingest.lock" in lines[0] and "Permission denied" in lines[0] and "Traceback" not in result.output
