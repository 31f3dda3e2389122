// Helpers shared by the unit tests.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "core/json.hpp"

namespace impayes_test {

// Parses text into doc, failing the test on a syntax error.
inline void parse_into(impayes::JsonDoc &doc, const std::string &text) {
    std::string err = impayes::parse_json(doc, text.data(), text.size());
    ASSERT_EQ(err, "") << "bad JSON in test: " << text;
}

}  // namespace impayes_test
