#include "sim/policies/legacy_rename.h"

#include "sim/sim_io.h"

namespace credsim::sim {
namespace {

class WritesByRename final : public engine::IoWrapper {
 public:
  explicit WritesByRename(SimIo& base) : IoWrapper(base), sim_(base) {}
  Task<engine::StoreWrite> CompareAndSwap(engine::StoreId store, engine::StoreVersion expected,
                                          std::string bytes) override {
    return sim_.CompareAndRename(std::move(store), expected, std::move(bytes));
  }

 private:
  SimIo& sim_;
};

}  // namespace

std::unique_ptr<engine::Io> MakeWritesByRenameIo(SimIo& base) {
  return std::make_unique<WritesByRename>(base);
}

}  // namespace credsim::sim
