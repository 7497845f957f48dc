#pragma once
/// Store-internal: a WAL file that is written over instead of appended to. On ext4 an fdatasync after
/// an append also commits the file's new size and blocks (measured here: 230 µs against 80 µs for an
/// overwrite of one page), and SQLite appends to its WAL until the WAL starts over at the front. A
/// server whose WAL is already as long as it will ever get pays only for the data.
#include <cstdint>

namespace actas::store {

class database;

/// The longest the WAL gets: the checkpointer's hard bound plus a margin for one large last batch.
std::uint64_t wal_bytes_for_load(int page_size);

/// Extends `db`'s WAL file with zeros to at least `bytes` (never shortens it), holding the write lock so
/// no writer of any process appends meanwhile. Zeros past the last valid frame are what SQLite ignores
/// anyway (a frame is valid only with the WAL's current salt and checksum), so this changes no data.
/// Throws std::runtime_error when the file cannot be written.
void reserve_wal(database& db, std::uint64_t bytes);

} // namespace actas::store
