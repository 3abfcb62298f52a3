#pragma once

#include <map>
#include <mutex>
#include <string>

#include "flashsale/ports/sale_repository.hpp"

namespace flashsale::memory {

/// In-process SaleRepository. Thread-safe.
class MemorySaleRepository final : public ports::SaleRepository {
 public:
  core::Result<void> Create(const core::Sale& sale) override;
  core::Result<std::optional<core::Sale>> Find(const core::SaleId& id) override;
  core::Result<std::vector<core::Sale>> List() override;

 private:
  mutable std::mutex mu_;
  std::map<std::string, core::Sale> sales_;
};

}  // namespace flashsale::memory
