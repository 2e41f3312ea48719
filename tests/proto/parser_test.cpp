#include <gtest/gtest.h>
#include "sse/parser.hpp"
#include "support/recorder.hpp"
