#include <gtest/gtest.h>

#include <string>

#include "core/logger.hpp"

using namespace impayes;

TEST(MaskSecret, ReplacesEveryOccurrence) {
    EXPECT_EQ(mask_secret("key=s3cr3t, again s3cr3t.", "s3cr3t"), "key=********, again ********.");
    EXPECT_EQ(mask_secret("s3cr3t", "s3cr3t"), "********");
    EXPECT_EQ(mask_secret("nothing here", "s3cr3t"), "nothing here");
}

TEST(MaskSecret, EmptySecretIsNoOp) {
    EXPECT_EQ(mask_secret("some text", ""), "some text");
    EXPECT_EQ(mask_secret("", ""), "");
}

TEST(MaskSecret, AdjacentOccurrences) {
    EXPECT_EQ(mask_secret("abcabc", "abc"), "****************");
    EXPECT_EQ(mask_secret("[abcabc]", "abc"), "[****************]");
}

TEST(MaskSecret, SecretLongerOrShorterThanMask) {
    const std::string longer = "0123456789abcdef0123456789abcdef";
    EXPECT_EQ(mask_secret("X-Parse-Master-Key: " + longer + longer, longer),
              "X-Parse-Master-Key: ****************");
    EXPECT_EQ(mask_secret("kkk", "k"), "************************");
}

TEST(MaskSecret, SecretMadeOfStarsTerminates) {
    // The replacement itself contains the secret: must not loop forever.
    EXPECT_EQ(mask_secret("a*b", "*"), "a********b");
    EXPECT_EQ(mask_secret("**", "**"), "********");
}

TEST(MaskSecret, NoSecretSurvivesOverlap) {
    // Overlapping occurrences: whatever is masked, the secret must be gone.
    std::string out = mask_secret("aaaa", "aa");
    EXPECT_EQ(out.find("aa"), std::string::npos) << out;
    EXPECT_EQ(out, "****************");
}
