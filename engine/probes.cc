#include "engine/probes.h"

namespace credsim::engine::probes {

// Serving without a refresh.
base::Probe valid_copy_served{"engine.valid_copy_served",
                              "a valid copy was served as read, without the locks"};
base::Probe lagging_store_spread{"engine.lagging_store_spread",
                                 "a valid copy was served only after spreading it to a store "
                                 "that held an older pair"};
// A dead session.
base::Probe dead_session_not_asked_again{"engine.dead_session_not_asked_again",
                                         "a refused refresh token was not presented again while "
                                         "no store changed"};
base::Probe dead_session_reprobed{"engine.dead_session_reprobed",
                                  "a store changed after a refusal and the engine tried again"};
base::Probe refused_token_not_presented_again{"engine.refused_token_not_presented_again",
                                              "a store rewritten with a token the server had "
                                              "refused did not make the engine ask again"};
base::Probe refresh_token_refused{"engine.refresh_token_refused",
                                  "the server refused the last refresh token any store held"};
base::Probe refused_pair_access_token_served{"engine.refused_pair_access_token_served",
                                             "after a refusal, the refused pair's unexpired "
                                             "access token served the caller"};
base::Probe foreign_rotation_landed{"engine.foreign_rotation_landed",
                                    "after a refusal, another process's rotation appeared in a "
                                    "store and was adopted"};
// 401s.
base::Probe refused_access_token_waits_for_rotation{
    "engine.refused_access_token_waits_for_rotation",
    "the API refused the newest access token any store held: the engine waited for a sibling's "
    "rotation before rotating"};
base::Probe unauthorized_rotation_too_soon{"engine.unauthorized_rotation_too_soon",
                                           "a 401 right after a 401 rotation did not rotate "
                                           "again"};
// Locks and adoption.
base::Probe lock_busy{"engine.lock_busy", "the locks stayed busy past the lock timeout"};
base::Probe rotation_adopted_under_lock{"engine.rotation_adopted_under_lock",
                                        "under the locks, a rotation made while waiting was "
                                        "adopted instead of rotating again"};
base::Probe parked_pair_restored{"engine.parked_pair_restored",
                                 "a pair a sibling parked in the rescue store was adopted"};
base::Probe copy_adopted_after_reuse_answer{"engine.copy_adopted_after_reuse_answer",
                                            "the server called the token dead and a store held "
                                            "a newer valid pair, which was adopted"};
base::Probe copy_adopted_after_lost_answer{"engine.copy_adopted_after_lost_answer",
                                           "an answer was lost and a store held a valid pair "
                                           "from someone else's rotation"};
base::Probe other_refresh_token_tried{"engine.other_refresh_token_tried",
                                      "after a refusal, another store's refresh token was tried"};
base::Probe stale_pending_pair_dropped{"engine.stale_pending_pair_dropped",
                                       "the engine's own unsaved pair was older than a refused "
                                       "one and was dropped, not replayed"};
// Rotation and its write-back.
base::Probe rotation_granted{"engine.rotation_granted", "the server granted a rotation"};
base::Probe rotation_not_saved_everywhere{"engine.rotation_not_saved_everywhere",
                                          "a granted pair could not be written to every store"};
base::Probe rotation_parked{"engine.rotation_parked",
                            "no store took a granted pair and it was parked in the rescue store"};
base::Probe rotation_park_failed{"engine.rotation_park_failed",
                                 "no store and not the rescue store took a granted pair"};
base::Probe commit_retried{"engine.commit_retried",
                           "a granted pair's write-back was retried under the locks"};
base::Probe pending_pair_committed{"engine.pending_pair_committed",
                                   "a pair kept in memory was written on a later call"};
base::Probe write_conflict_merged{"engine.write_conflict_merged",
                                  "a compare-and-swap lost to another writer and was merged "
                                  "again"};
base::Probe corrupt_store_left_untouched{"engine.corrupt_store_left_untouched",
                                         "a write-back skipped a store that does not parse"};
base::Probe torn_write_waited_out{"engine.torn_write_waited_out",
                                  "every store with a token was unparsable and the engine "
                                  "re-read it after a pause"};
base::Probe locks_kept_for_unsaved_pair{"engine.locks_kept_for_unsaved_pair",
                                        "a granted pair no store could take kept the locks past "
                                        "the call"};
base::Probe pending_pair_superseded_by_parked{"engine.pending_pair_superseded_by_parked",
                                              "a sibling rotated this engine's parked pair: "
                                              "the unsaved copy in memory was dropped"};
base::Probe login_written{"engine.login_written", "a fresh login was written to the stores"};
// The token endpoint's trouble.
base::Probe transient_served_valid_token{"engine.transient_served_valid_token",
                                         "a refresh failed transiently and the unexpired "
                                         "access token served the caller"};
base::Probe transient_failure{"engine.transient_failure",
                              "a refresh failed transiently with no token left to serve"};
base::Probe lost_answer_retried{"engine.lost_answer_retried",
                                "an answer was lost and the same token was presented once more"};
base::Probe lost_answer_twice{"engine.lost_answer_twice",
                              "two answers in a row were lost: reported as an outage, not a "
                              "dead session"};
base::Probe scope_refused_retried{"engine.scope_refused_retried",
                                  "the server refused the stored scopes and the refresh was "
                                  "asked again without a scope"};
base::Probe retry_after_honoured{"engine.retry_after_honoured",
                                 "a 429's Retry-After was waited out before retrying"};
base::Probe retry_after_beyond_bound{"engine.retry_after_beyond_bound",
                                     "a Retry-After longer than the engine's bound was reported "
                                     "instead of waited"};

}  // namespace credsim::engine::probes
