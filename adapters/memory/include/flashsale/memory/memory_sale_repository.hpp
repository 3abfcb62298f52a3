#pragma once

#include <map>
#include <mutex>
#include <string>

#include "flashsale/ports/sale_repository.hpp"

namespace flashsale::memory {

/// In-process SaleRepository. Thread-safe.
class MemorySaleRepository final : public ports::SaleRepository {
 public:
  domain::Result<void> Create(const domain::Sale& sale) override;
  domain::Result<std::optional<domain::Sale>> Find(const domain::SaleId& id) override;
  domain::Result<std::vector<domain::Sale>> List() override;
  domain::Result<std::vector<domain::Sale>> ListEndingAfter(domain::TimePoint t) override;
  domain::Result<domain::Sale> Close(const domain::SaleId& id, domain::TimePoint at) override;

 private:
  mutable std::mutex mu_;
  std::map<std::string, domain::Sale> sales_;
};

}  // namespace flashsale::memory
