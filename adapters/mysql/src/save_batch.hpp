#pragma once

// Internal to the MySQL adapter: the steps of MySqlOrderRepository::SaveBatch, each one
// statement (or a decision without SQL) inside the batch's transaction.

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "connection_pool.hpp"
#include "flashsale/ports/order_repository.hpp"

namespace flashsale::mysql::save_batch {

struct ItemStock {
  std::int64_t stock = 0;
  std::int64_t sold = 0;
  std::int64_t added = 0;  ///< units this batch confirms
};
/// "sale/item" -> its row; '/' is not an id character.
using StockByItem = std::map<std::string, ItemStock>;
/// order id -> the answer it gets.
using Answers = std::unordered_map<std::string, ports::SaveResult>;
/// "sale/user/request" -> the order id that owns the request key.
using RequestOwners = std::unordered_map<std::string, std::string>;
/// A row to insert: the order and its (final) answer.
using NewRow = std::pair<const domain::Order*, const ports::SaveResult*>;

/// Reads the items' sale_items rows. With `lock`, locks them (FOR UPDATE, in key order, so
/// concurrent batches never deadlock), which also serialises writers of the same orders:
/// everything read after this in the transaction is current. Without, a plain read of the
/// transaction's snapshot: `sold` may be behind (it only grows, so a refusal decided on it
/// holds), and BumpSold's guard checks the confirmations against the current row.
StockByItem ReadItems(Session& session, std::span<const domain::Order> orders, bool lock);

/// The answers of orders of the batch already stored (confirmed, or failed with a reason).
Answers FindStoredAnswers(Session& session, std::span<const domain::Order> orders);

/// Owners of the request keys of the batch's orders not in `known`.
RequestOwners FindRequestOwners(Session& session, std::span<const domain::Order> orders,
                                const Answers& known);

/// Decides order by order: a stored order keeps its answer; a request key owned by another
/// order is DuplicateRequest (no row); an unknown item is UnknownItem; the guard
/// sold + added + quantity <= stock confirms or refuses (SoldOut). Fills `results` (one per
/// order, sized by the caller) and returns the rows to insert.
std::vector<NewRow> Decide(std::span<const domain::Order> orders, Answers& known,
                           RequestOwners& owners, StockByItem& stock,
                           std::vector<ports::SaveResult>& results);

/// One multi-row INSERT for every new order (confirmed or failed).
void InsertOrders(Session& session, const std::vector<NewRow>& rows);

/// Bumps sale_items.sold by what the batch confirmed (in key order), with the guard in SQL
/// too (the CHECK constraint is a third). False when a row refused: the batch must roll back
/// (rows read without a lock: a concurrent batch sold those units first; locked: a bug).
bool BumpSold(Session& session, const StockByItem& stock);

}  // namespace flashsale::mysql::save_batch
