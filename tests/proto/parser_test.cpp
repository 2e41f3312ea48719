#include <gtest/gtest.h>
#include "sse/parser.hpp"
