// `sredb flush`: seal every partition that can be sealed, now.
#include <cstdio>

#include "storage/db.h"
#include "tools/commands.h"

namespace sredb::tools {

int RunFlush(const std::string& path) {
  Options options;
  options.background_sealing = false;
  auto db = DB::Open(options, path);
  if (!db.ok()) return Fail(db.status().message());
  Status s = (*db)->Flush();
  auto st = (*db)->GetStats();
  if (s.ok()) s = st.status();
  if (s.ok()) s = (*db)->Close();
  if (!s.ok()) return Fail("flush: " + s.message());
  std::printf("sealed: %llu of %llu events are in chunks, %llu remain in the head\n",
              static_cast<unsigned long long>(st->events - st->head_events),
              static_cast<unsigned long long>(st->events),
              static_cast<unsigned long long>(st->head_events));
  return kExitOk;
}

}  // namespace sredb::tools
