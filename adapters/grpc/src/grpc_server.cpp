#include "flashsale/rpc/grpc_server.hpp"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <stdexcept>

#include "order_service.hpp"

namespace flashsale::rpc {

class GrpcServer::Impl {
 public:
  Impl(GrpcOptions options, GrpcServices services)
      : options_(std::move(options)), service_(options_, services) {}

  void Start() {
    grpc::EnableDefaultHealthCheckService(true);
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    grpc::ServerBuilder builder;
    builder.AddListeningPort(options_.address + ":" + std::to_string(options_.port),
                             grpc::InsecureServerCredentials(), &bound_port_);
    builder.SetMaxReceiveMessageSize(options_.max_receive_message_bytes);
    builder.AddChannelArgument(GRPC_ARG_MAX_METADATA_SIZE, options_.max_metadata_bytes);
    builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, options_.max_concurrent_streams);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    if (!server_ || bound_port_ == 0) {
      throw std::runtime_error("gRPC: cannot listen on " + options_.address + ":" +
                               std::to_string(options_.port));
    }
    SetServing(true);
  }

  void SetServing(bool serving) {
    if (!server_) return;
    auto* health = server_->GetHealthCheckService();
    health->SetServingStatus(serving);
    health->SetServingStatus("flashsale.OrderService", serving);
  }

  bool Shutdown(std::chrono::steady_clock::time_point deadline) {
    if (!server_) return true;
    const auto wall_deadline = std::chrono::system_clock::now() +
                               std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                   deadline - std::chrono::steady_clock::now());
    server_->Shutdown(wall_deadline);
    server_->Wait();
    service_.StopPool();
    return std::chrono::steady_clock::now() < deadline;
  }

  int port() const { return bound_port_; }

 private:
  GrpcOptions options_;
  OrderServiceImpl service_;
  std::unique_ptr<grpc::Server> server_;
  int bound_port_ = 0;
};

GrpcServer::GrpcServer(GrpcOptions options, GrpcServices services)
    : impl_(std::make_unique<Impl>(std::move(options), services)) {}
GrpcServer::~GrpcServer() = default;
void GrpcServer::Start() { impl_->Start(); }
int GrpcServer::port() const { return impl_->port(); }
void GrpcServer::SetServing(bool serving) { impl_->SetServing(serving); }
bool GrpcServer::Shutdown(std::chrono::steady_clock::time_point deadline) {
  return impl_->Shutdown(deadline);
}

}  // namespace flashsale::rpc
