#pragma once

// The parts a Service owns, shared by service.cpp (lifecycle) and service_build.cpp
// (wiring). Private to the service library.

#include "flashsale/core/expire_holds.hpp"
#include "flashsale/core/manage_sales.hpp"
#include "flashsale/core/periodic_task.hpp"
#include "flashsale/core/run_sale_schedule.hpp"
#include "flashsale/core/sale_catalog.hpp"
#include "flashsale/core/system_clock.hpp"
#include "flashsale/core/ulid_generator.hpp"
#include "flashsale/memory/memory_order_queue.hpp"
#include "flashsale/memory/memory_order_repository.hpp"
#include "flashsale/memory/memory_rate_limiter.hpp"
#include "flashsale/memory/memory_sale_repository.hpp"
#include "flashsale/memory/memory_stock_store.hpp"
#include "flashsale/metrics/prometheus_metrics.hpp"
#include "flashsale/mysql/mysql_order_repository.hpp"
#include "flashsale/mysql/mysql_sale_repository.hpp"
#include "flashsale/redis/redis_order_queue.hpp"
#include "flashsale/redis/redis_rate_limiter.hpp"
#include "flashsale/redis/redis_stock_store.hpp"
#include "flashsale/service/service.hpp"
#include "flashsale_version.hpp"

namespace flashsale::service {

struct Service::Parts {
  ServiceOptions config;
  core::SystemClock clock;
  core::UlidGenerator ids{clock};
  std::optional<domain::SaleId> configured_sale;  // --sale-id (validated by the flag)
  metrics::PrometheusMetrics metrics{FLASHSALE_VERSION};
  // Embedded defaults (only the ones in use are created).
  std::unique_ptr<memory::MemoryOrderQueue> memory_queue;
  std::unique_ptr<memory::MemoryStockStore> memory_store;
  std::unique_ptr<memory::MemorySaleRepository> memory_sales;
  std::unique_ptr<memory::MemoryOrderRepository> memory_orders;
  // Real backends.
  std::unique_ptr<redis::RedisStockStore> redis_store;
  std::unique_ptr<redis::RedisOrderQueue> redis_queue;
  std::unique_ptr<mysql::MySqlSaleRepository> mysql_sales;
  std::unique_ptr<mysql::MySqlOrderRepository> mysql_orders;
  // Ports in use.
  ports::StockStore* store = nullptr;
  ports::OrderQueue* queue = nullptr;
  ports::SaleRepository* sales = nullptr;
  ports::OrderRepository* orders = nullptr;
  // Use cases.
  std::unique_ptr<core::ManageSales> manage;
  std::unique_ptr<core::SaleCatalog> catalog;
  std::unique_ptr<core::PlacePurchase> purchase;
  std::unique_ptr<core::GetOrder> get_order;
  std::unique_ptr<core::CheckoutItem> checkout;
  std::unique_ptr<core::CompleteCheckout> complete;
  std::unique_ptr<core::GetSaleStatus> sale_status;
  std::unique_ptr<core::AuditSale> audit;
  std::unique_ptr<memory::MemoryRateLimiter> memory_limiter;
  std::unique_ptr<redis::RedisRateLimiter> redis_limiter;
  std::unique_ptr<core::LimitRequests> limits;
  std::unique_ptr<core::PersistOrders> persist;
  // Housekeeping (last: stopped first).
  std::unique_ptr<core::RunSaleSchedule> schedule;
  std::unique_ptr<core::ExpireHolds> expire;
  std::unique_ptr<core::PeriodicTask> housekeeping;  // schedule + catalog (may wait on MySQL)
  std::unique_ptr<core::PeriodicTask> sweeper;       // hold expiry + retirement (the store only)
};

}  // namespace flashsale::service
