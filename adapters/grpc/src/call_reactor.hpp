#pragma once

// Internal to the gRPC adapter: the reactor of one unary call of OrderService. The service's
// methods are registered as raw (their request arrives as bytes) so that a request that is not
// a valid protobuf message is answered INVALID_ARGUMENT "malformed request" by the adapter
// instead of UNIMPLEMENTED with no details by gRPC's own deserialisation.

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/server_callback.h>

namespace flashsale::rpc {

/// One call, answered exactly once through Answer; deletes itself when gRPC is done with it.
class CallReactor : public grpc::ServerUnaryReactor {
 public:
  virtual void Answer(const grpc::Status& status) = 0;
  void OnDone() override { delete this; }
};

/// A call whose answer is a `Response` message: on OK, `response` is serialised into the
/// call's reply bytes before the status goes out.
template <class Response>
class TypedCall final : public CallReactor {
 public:
  explicit TypedCall(grpc::ByteBuffer* reply) : reply_(reply) {}

  void Answer(const grpc::Status& status) override {
    if (status.ok()) {
      grpc::ByteBuffer bytes;
      bool own = false;
      if (!grpc::SerializationTraits<Response>::Serialize(response, &bytes, &own).ok()) {
        Finish(grpc::Status(grpc::StatusCode::INTERNAL, "the response could not be serialised"));
        return;
      }
      reply_->Swap(&bytes);
    }
    Finish(status);
  }

  Response response;

 private:
  grpc::ByteBuffer* reply_;
};

/// Parses a raw request: false when the bytes are not a valid `Request` message.
template <class Request>
bool ParseRequest(const grpc::ByteBuffer* bytes, Request& request) {
  grpc::ByteBuffer copy(*bytes);  // Deserialize consumes its buffer; slices are shared
  return grpc::SerializationTraits<Request>::Deserialize(&copy, &request).ok();
}

}  // namespace flashsale::rpc
