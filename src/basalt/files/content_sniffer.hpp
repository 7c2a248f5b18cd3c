// Detection from content moved to mime_type.hpp (one libmagic handle per thread for uploads
// and serving). This header only forwards to it for file_service.cpp, which is being changed
// on another branch; that change switches its include and removes this file.
#pragma once

#include "basalt/files/mime_type.hpp"
