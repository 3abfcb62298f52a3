#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <limits>
#include <memory>
#include <mutex>
#include <thread>

#include "callers.hpp"
#include "event_driver.hpp"
#include "flashsale.grpc.pb.h"

namespace flashsale::stress {
namespace {

/// One purchase in flight: what the callback API needs alive until the call completes.
struct Call {
  long n = 0;
  Clock::time_point due;
  grpc::ClientContext context;
  flashsale::PurchaseRequest request;
  flashsale::PurchaseResponse response;
};

class GrpcEventDriver {
 public:
  GrpcEventDriver(Run& run, std::shared_ptr<grpc::Channel> channel, Clock::time_point start,
                  Clock::time_point end)
      : run_(run),
        o_(run.options),
        stub_(flashsale::OrderService::NewStub(std::move(channel))),
        start_(start),
        end_(end),
        limit_(o_.duration_s > 0 ? std::numeric_limits<long>::max() : o_.requests) {
    if (o_.rate > 0) interval_ = std::chrono::duration<double>(1.0 / o_.rate);
  }

  void Drive() {
    std::unique_lock lock(mu_);
    for (;;) {
      // At most --concurrency calls in flight; in open loop a call that waits for a slot
      // still counts its latency from its due time.
      freed_.wait(lock, [&] { return in_flight_ < o_.concurrency; });
      if (next_ >= limit_) break;
      Clock::time_point due = Clock::now();
      if (o_.rate > 0) {
        due = start_ + std::chrono::duration_cast<Clock::duration>(interval_ * next_);
        if (due >= end_) break;
        lock.unlock();
        std::this_thread::sleep_until(due);
        lock.lock();
      } else if (due >= end_) {
        break;
      }
      const long n = next_++;
      ++in_flight_;
      lock.unlock();
      Start(n, due);
      lock.lock();
    }
    freed_.wait(lock, [&] { return in_flight_ == 0; });  // every call has a 10 s deadline
  }

 private:
  void Start(long n, Clock::time_point due) {
    auto call = std::make_unique<Call>();
    call->n = n;
    call->due = due;
    std::string user, item, request;
    Describe(run_, n, user, item, request);
    FillPurchase(call->request, o_.sale_id, user, item, request, o_.quantity);
    call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    Call* raw = call.release();  // owned by the callback from here on
    stub_->async()->Purchase(
        &raw->context, &raw->request, &raw->response, [this, raw](grpc::Status status) {
          std::unique_ptr<Call> done(raw);
          Record(run_, done->n, AnswerOfPurchase(status, done->response), done->due);
          // Freed before the count drops: once it is 0, Drive returns
          // and the stub may go.
          done.reset();
          std::lock_guard lock(mu_);
          --in_flight_;
          freed_.notify_one();
        });
  }

  Run& run_;
  const Options& o_;
  std::unique_ptr<flashsale::OrderService::Stub> stub_;
  Clock::time_point start_;
  Clock::time_point end_;
  long limit_;
  std::chrono::duration<double> interval_{0};
  std::mutex mu_;
  std::condition_variable freed_;
  long next_ = 0;      // guarded by mu_
  int in_flight_ = 0;  // guarded by mu_
};

}  // namespace

void DriveGrpcEvents(Run& run, std::shared_ptr<grpc::Channel> channel, Clock::time_point start,
                     Clock::time_point end) {
  GrpcEventDriver(run, std::move(channel), start, end).Drive();
}

}  // namespace flashsale::stress
