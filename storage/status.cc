#include "storage/status.h"

namespace sredb {

std::string Status::ToString() const {
  const char* name = "OK";
  switch (code_) {
    case Code::kOk:
      return "OK";
    case Code::kNotFound:
      name = "NotFound";
      break;
    case Code::kCorruption:
      name = "Corruption";
      break;
    case Code::kInvalidArgument:
      name = "InvalidArgument";
      break;
    case Code::kIOError:
      name = "IOError";
      break;
    case Code::kBusy:
      name = "Busy";
      break;
    case Code::kSeriesCollision:
      name = "SeriesCollision";
      break;
    case Code::kNotSupported:
      name = "NotSupported";
      break;
    case Code::kResourceExhausted:
      name = "ResourceExhausted";
      break;
    case Code::kCancelled:
      name = "Cancelled";
      break;
  }
  return std::string(name) + ": " + msg_;
}

}  // namespace sredb
