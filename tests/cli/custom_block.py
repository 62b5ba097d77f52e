"""The custom format's data block framing, read independently of libdumpfmt for the repair
tests' oracles (repair_rows.py, repair_inserts.py, repair_survive.py): a block is the byte 1,
the dump id as pg_dump's int, then chunks (an int length, that many bytes) up to a 0 length."""


def read_int(data, pos):
    """pg_dump's int: a sign byte, then 4 bytes little-endian; None when cut."""
    if pos + 5 > len(data):
        return None, pos
    v = int.from_bytes(data[pos + 1:pos + 5], 'little')
    return (-v if data[pos] else v), pos + 5


def surviving_payload(path, off, dump_id):
    """The chunk payloads of the custom data block at off, the last, cut one included."""
    data = open(path, 'rb').read()
    if off >= len(data) or data[off] != 1:
        return b''
    bid, pos = read_int(data, off + 1)
    if bid is None:
        return b''
    if bid != dump_id:
        raise SystemExit('block at %d has id %r, not %d' % (off, bid, dump_id))
    out = []
    while True:
        n, pos = read_int(data, pos)
        if n is None or n == 0:
            break
        out.append(data[pos:pos + n])
        pos += n
        if pos > len(data):
            break
    return b''.join(out)
