"""Imports cannot be used to tie up a worker: a workbook is judged from its zip directory
before it is opened (parts, sizes, compression), CSV is capped and streamed, and the size
cap holds whatever the file is called. Memory is measured with tracemalloc (no timings)."""

import io
import struct
import tracemalloc
import zipfile

import pytest

from reports.spreadsheets import Field, ImportFailed, SpreadsheetImport, run_import
from tests.reports.test_import import workbook_bytes

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
SHARED_STRINGS_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)


class NamesImport(SpreadsheetImport):
    fields = [Field("name", "姓名")]

    def __init__(self):
        super().__init__()
        self.count = 0

    def save_row(self, row):
        self.count += 1


def bomb(shared_strings_mb=50, *, entries=()):
    """A real little workbook whose shared-strings part is ``shared_strings_mb`` MB of one
    repeated character: ~50 KB on disk. Written in 1 MB pieces, so building it is flat too."""
    source = zipfile.ZipFile(workbook_bytes([["姓名"], ["张三"]]))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "[Content_Types].xml":  # declared, so openpyxl reads it
                data = data.replace(b"</Types>", SHARED_STRINGS_TYPE + b"</Types>")
            target.writestr(info.filename, data)
        with target.open("xl/sharedStrings.xml", "w") as part:
            part.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
            for _ in range(shared_strings_mb):
                part.write(b"A" * MB)
            part.write(b"</t></si></sst>")
        for name in entries:
            target.writestr(name, b"")
    out.seek(0)
    return out


def measured(function):
    """Run ``function`` and return (what it raised, peak bytes allocated meanwhile)."""
    tracemalloc.start()
    try:
        function()
    except ImportFailed as exc:
        return exc, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    raise AssertionError("the import was not refused")


def test_a_shared_strings_bomb_is_refused_from_the_zip_directory_with_flat_memory():
    fp = bomb(50)
    assert len(fp.getvalue()) < 200 * 1024  # under today's 200 MB total, 50 MB in one part
    failed, peak = measured(lambda: run_import(fp, NamesImport(), filename="bomb.xlsx"))
    [message] = failed.messages
    assert "xl/sharedStrings.xml" in message and "50" in message and "20" in message
    assert peak < 4 * MB  # nothing was decompressed


def test_a_part_compressed_far_beyond_office_files_is_refused_even_under_its_size_limit(settings):
    settings.SPREADSHEET_MAX_SHARED_STRINGS_BYTES = 100 * MB
    failed, _peak = measured(lambda: run_import(bomb(30), NamesImport(), filename="bomb.xlsx"))
    assert "xl/sharedStrings.xml" in failed.messages[0] and "100" in failed.messages[0]


def test_a_workbook_with_too_many_parts_is_refused(settings):
    settings.SPREADSHEET_MAX_ZIP_ENTRIES = 50
    fp = bomb(0, entries=[f"xl/media/x{n}.bin" for n in range(60)])
    with pytest.raises(ImportFailed) as caught:
        run_import(fp, NamesImport(), filename="many.xlsx")
    assert "50" in caught.value.messages[0]


def lying(fp, part: str, declared: int):
    """The workbook with ``part``'s declared expanded size rewritten to ``declared`` bytes in
    both its local header and the central directory (a zip bomb that lies about itself)."""
    data = bytearray(fp.getvalue())
    name = part.encode()
    local = data.find(b"PK\x03\x04" + b"\x00" * 0)
    while local != -1:
        name_length = struct.unpack_from("<H", data, local + 26)[0]
        if data[local + 30 : local + 30 + name_length] == name:
            struct.pack_into("<I", data, local + 22, declared)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_length] == name:
            struct.pack_into("<I", data, central + 24, declared)
        central = data.find(b"PK\x01\x02", central + 4)
    return io.BytesIO(bytes(data))


def test_a_part_lying_about_its_size_is_cut_at_the_declared_size_and_refused():
    fp = lying(bomb(50), "xl/sharedStrings.xml", 1000)
    with zipfile.ZipFile(fp) as archive:  # what the directory now claims
        assert archive.getinfo("xl/sharedStrings.xml").file_size == 1000
    failed, peak = measured(lambda: run_import(fp, NamesImport(), filename="liar.xlsx"))
    assert len(failed.messages) == 1  # damaged: zipfile stops at the declared size, CRC fails
    assert peak < 8 * MB


def test_an_oversized_csv_is_refused_without_being_read(settings):
    settings.SPREADSHEET_MAX_UPLOAD_BYTES = 1 * MB

    class Unreadable(io.BytesIO):
        def read(self, *args):  # the size is known from the file; its bytes are never needed
            raise AssertionError("the file was read")

    fp = Unreadable(b"x" * (2 * MB))
    failed, _peak = measured(lambda: run_import(fp, NamesImport(), filename="big.csv"))
    assert "MB" in failed.messages[0] and "2" in failed.messages[0]


def test_a_csv_is_streamed_row_by_row(settings, tmp_path):
    path = tmp_path / "names.csv"
    with path.open("w", encoding="gb18030", newline="") as out:
        out.write("姓名\n")
        for n in range(1000):
            out.write(f"{'张' * 5000}{n}\n")
    assert path.stat().st_size > 9 * MB
    importer = NamesImport()
    with path.open("rb") as fp:
        tracemalloc.start()
        try:
            run_import(fp, importer, filename="names.csv")
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert importer.count == 1000
    assert peak < 4 * MB  # reading the whole file, then decoding it, took over 20 MB


def test_a_csv_field_past_the_csv_limit_is_refused_not_a_server_error():
    fp = io.BytesIO(b"\xe5\xa7\x93\xe5\x90\x8d\n" + b'"' + b"x" * 200_000 + b'"\n')
    with pytest.raises(ImportFailed) as caught:
        run_import(fp, NamesImport(), filename="long.csv")
    assert "CSV" in caught.value.messages[0]
