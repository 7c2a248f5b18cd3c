// /api/backups (docs/backups.md): thin handlers over backups::BackupService, plus
// POST /api/files/token, whose file tokens open backup downloads. Access is declared in
// routes.cpp (superusers, except the download, which is opened by a superuser's file token).
#pragma once

#include "basalt/api/api_handler.hpp"

namespace basalt::api {

boost::asio::awaitable<void> list_backups(const Services&, const auth::AuthContext&, http::Request&,
                                          http::Response&);
boost::asio::awaitable<void> create_backup(const Services&, const auth::AuthContext&,
                                           http::Request&, http::Response&);
boost::asio::awaitable<void> upload_backup(const Services&, const auth::AuthContext&,
                                           http::Request&, http::Response&);
boost::asio::awaitable<void> download_backup(const Services&, const auth::AuthContext&,
                                             http::Request&, http::Response&);
boost::asio::awaitable<void> delete_backup(const Services&, const auth::AuthContext&,
                                           http::Request&, http::Response&);
boost::asio::awaitable<void> restore_backup(const Services&, const auth::AuthContext&,
                                            http::Request&, http::Response&);

}  // namespace basalt::api
