#include "core/diff.hpp"

namespace impayes {

bool field_equal(const JsonValue *source, const JsonValue *parse) {
    const bool s_null = source == nullptr || source->IsNull();
    const bool p_null = parse == nullptr || parse->IsNull();
    if (s_null || p_null) return s_null == p_null;
    return json_equal(*source, *parse);
}

Keeper choose_keeper(const std::vector<const JsonValue *> &objects, const std::string &ledger_id) {
    Keeper k{0, Keeper::Oldest};
    auto created = [](const JsonValue *o) { return string_member(*o, "createdAt"); };
    auto object_id = [](const JsonValue &o) { return string_member(o, "objectId"); };
    for (size_t i = 0; i < objects.size(); ++i) {
        if (!ledger_id.empty() && object_id(*objects[i]) == ledger_id) return {i, Keeper::InLedger};
        if (i == 0) continue;
        // Same fixed-width ISO format: string order is time order.
        const std::string ci = created(objects[i]), ck = created(objects[k.index]);
        if (ci < ck || (ci == ck && object_id(*objects[i]) < object_id(*objects[k.index])))
            k.index = i;
    }
    return k;
}

}  // namespace impayes
