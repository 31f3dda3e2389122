#include "core/result.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace impayes {

const char *const kSuccessMessage = "Synchronisation terminée avec succès";
const char *const kFailureMessage = "Erreur lors de la synchronisation";

std::string result_to_json(const SyncResult &r) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartObject();
    w.Key("success");
    w.Bool(r.success);
    w.Key("message");
    w.String(r.success ? kSuccessMessage : kFailureMessage);
    for (auto [name, value] : {std::pair<const char *, long>{"inserted", r.inserted},
                               {"updated", r.updated},
                               {"deleted", r.deleted},
                               {"skipped", r.skipped},
                               {"total", r.total},
                               {"failed", r.failed},
                               {"rejected", r.rejected},
                               {"duration_ms", r.duration_ms}}) {
        w.Key(name);
        w.Int64(value);
    }
    w.Key("dry_run");
    w.Bool(r.dry_run);
    if (!r.mode.empty()) {
        w.Key("mode");
        w.String(r.mode.c_str());
    }
    if (r.dry_run && !r.preview.IsNull()) {
        w.Key("preview");
        r.preview.Accept(w);
    }
    if (!r.success) {
        w.Key("error");
        w.String(r.error.c_str(), static_cast<rapidjson::SizeType>(r.error.size()));
    }
    if (!r.success || r.details.MemberCount() > 0) {
        w.Key("details");
        r.details.Accept(w);
    }
    w.EndObject();
    return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace impayes
