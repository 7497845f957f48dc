#include "store/wal_reserve.hpp"

#include <signal.h>
#include <sys/resource.h>

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/database.hpp"
#include "store_fixture.hpp"
#include "temp_dir.hpp"

namespace actas::store {
namespace {

namespace fs = std::filesystem;
using namespace actas::testing;

constexpr std::uint64_t four_mib = 4u << 20;

class wal_reserve_test : public ::testing::Test {
protected:
  void SetUp() override { crypto::init(); }
  std::string path() const { return dir_.file("actas.db"); }
  std::uint64_t wal_size(const std::string& db) const { return fs::file_size(db + "-wal"); }

  /// Commits `n` audit events named e0, e1, … to the "acme" chain, each its own commit.
  static void append_events(writer& w, int from, int n) {
    for (int i = from; i < from + n; ++i)
      ASSERT_TRUE(commit(w, [i](transaction& tx) {
        tx.append_audit(make_event("acme", "e" + std::to_string(i), at_s(i)));
      }));
  }

  static std::vector<std::string> chain_names(const std::string& db_path) {
    database db(db_path);
    std::vector<std::string> names;
    for (const auto& e : db.audit_chain("acme")) names.push_back(e.event);
    auto v = verify_chain(db.audit_chain("acme"), sha256());
    EXPECT_TRUE(v.ok) << v.problem;
    return names;
  }

  static std::vector<std::string> names_up_to(int n) {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) out.push_back("e" + std::to_string(i));
    return out;
  }

  temp_dir dir_;
};

TEST_F(wal_reserve_test, grows_the_wal_and_every_committed_row_survives_reopening) {
  auto w = make_inline_writer(path());
  ASSERT_TRUE(commit(*w, write_small_realm));
  append_events(*w, 0, 20);
  {
    database db(path());
    reserve_wal(db, four_mib);
  }
  EXPECT_GE(wal_size(path()), four_mib);
  append_events(*w, 20, 5);  // written over the zeros
  w.reset();
  EXPECT_EQ(chain_names(path()), names_up_to(25));
  EXPECT_GE(wal_size(path()), four_mib) << "the WAL file is kept when the last connection closes";
}

TEST_F(wal_reserve_test, a_crash_image_with_uncheckpointed_frames_opens_whole_after_reserving) {
  auto w = make_inline_writer(path());
  ASSERT_TRUE(commit(*w, write_small_realm));
  append_events(*w, 0, 10);
  // The files as a power cut would leave them: the committed events live only in the WAL.
  const auto image = dir_.file("image.db");
  fs::copy_file(path(), image);
  fs::copy_file(path() + "-wal", image + "-wal");
  ASSERT_GT(wal_size(image), 0u);
  {
    database db(image);
    reserve_wal(db, four_mib);
  }
  EXPECT_EQ(chain_names(image), names_up_to(10));
  auto after = make_inline_writer(image);
  append_events(*after, 10, 3);
  after.reset();
  EXPECT_EQ(chain_names(image), names_up_to(13));
}

/// Caps the size of any file this process writes (as a nearly full disk would), for one scope.
class file_size_cap {
public:
  explicit file_size_cap(rlim_t bytes) {
    old_signal_ = ::signal(SIGXFSZ, SIG_IGN);  // past the cap, writes fail with EFBIG instead of killing us
    ::getrlimit(RLIMIT_FSIZE, &old_);
    rlimit capped = old_;
    capped.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &capped);
  }
  ~file_size_cap() {
    ::setrlimit(RLIMIT_FSIZE, &old_);
    ::signal(SIGXFSZ, old_signal_);
  }
  file_size_cap(const file_size_cap&) = delete;
  file_size_cap& operator=(const file_size_cap&) = delete;

private:
  rlimit old_{};
  sighandler_t old_signal_;
};

TEST_F(wal_reserve_test, a_reservation_that_cannot_finish_leaves_the_wal_as_it_was) {
  auto w = make_inline_writer(path());
  ASSERT_TRUE(commit(*w, write_small_realm));
  const auto before = wal_size(path());
  {
    database db(path());
    file_size_cap cap(2u << 20);
    EXPECT_THROW(reserve_wal(db, four_mib), std::runtime_error);
  }
  EXPECT_EQ(wal_size(path()), before) << "a half-made reservation must not stay behind, filling the disk";
  append_events(*w, 0, 3);
  w.reset();
  EXPECT_EQ(chain_names(path()), names_up_to(3));
}

TEST_F(wal_reserve_test, never_shortens_a_longer_wal) {
  database db(path());
  reserve_wal(db, four_mib);
  reserve_wal(db, 4096);
  EXPECT_EQ(wal_size(path()), four_mib);
}

TEST_F(wal_reserve_test, the_group_writer_reserves_what_the_checkpointer_lets_the_wal_reach) {
  {
    auto w = make_inline_writer(path());
    ASSERT_TRUE(commit(*w, write_small_realm));
  }
  auto w = make_group_writer(path(), 64, true);
  EXPECT_EQ(wal_size(path()), wal_bytes_for_load(4096));
  w->stop();
  EXPECT_EQ(chain_names(path()), std::vector<std::string>{});
}

} // namespace
} // namespace actas::store
