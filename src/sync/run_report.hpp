// What a run reports of its ops: counts, the failed items and rejected
// rows listed in details, and a dry run's preview.
#pragma once

#include <string>
#include <vector>

#include "core/diff.hpp"
#include "core/result.hpp"
#include "core/source_data.hpp"
#include "parse/batch_writer.hpp"

namespace impayes {

const size_t kListedProblems = 20;  // items listed in details per kind

// The key an op is about, as text.
std::string key_text(const SourceData &src, const Op &op, const std::string &key_column);

// details.rejected_rows: the first kListedProblems rows.
void list_rejected(const std::vector<RowProblem> &rows, JsonDoc &details);

// Adds the keys to insert, update (with their fields) and delete to
// preview, up to kPreviewItems of each: called once per chunk.
void fill_preview(const std::vector<Op> &ops, const SourceData &src, const std::string &key_column,
                  JsonDoc &preview);

// Counts op as inserted, updated or deleted.
void count_op(const Op &op, SyncResult &r);

// Counts the ops Parse confirmed and the failed ones (added to
// details.failed_items); an item too large to send is a rejected row
// (appended to too_large), not a failure.
void count_outcomes(const std::vector<Op> &ops, const std::vector<ItemOutcome> &outcomes,
                    const SourceData &src, const std::string &key_column, SyncResult &r,
                    std::vector<RowProblem> &too_large);

}  // namespace impayes
