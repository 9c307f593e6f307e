/* Every URI wampd sends as an error or close reason. */
#ifndef WD_URIS_H
#define WD_URIS_H

#define WD_ERR_INVALID_URI "wamp.error.invalid_uri"
#define WD_ERR_NO_SUCH_PROCEDURE "wamp.error.no_such_procedure"
#define WD_ERR_PROCEDURE_ALREADY_EXISTS "wamp.error.procedure_already_exists"
#define WD_ERR_NO_SUCH_REGISTRATION "wamp.error.no_such_registration"
#define WD_ERR_NO_SUCH_SUBSCRIPTION "wamp.error.no_such_subscription"
#define WD_ERR_NO_SUCH_REALM "wamp.error.no_such_realm"
#define WD_ERR_NO_SUCH_ROLE "wamp.error.no_such_role"
#define WD_ERR_NO_SUCH_SESSION "wamp.error.no_such_session"
#define WD_ERR_NOT_AUTHORIZED "wamp.error.not_authorized"
#define WD_ERR_AUTHORIZATION_FAILED "wamp.error.authorization_failed"
#define WD_ERR_NO_AUTH_METHOD "wamp.error.no_auth_method"
#define WD_ERR_PROTOCOL_VIOLATION "wamp.error.protocol_violation"
#define WD_ERR_CANCELED "wamp.error.canceled"
#define WD_ERR_TIMEOUT "wamp.error.timeout"
#define WD_ERR_INVALID_ARGUMENT "wamp.error.invalid_argument"
#define WD_ERR_FEATURE_NOT_SUPPORTED "wamp.error.feature_not_supported"

#define WD_CLOSE_NORMAL "wamp.close.normal"
#define WD_CLOSE_GOODBYE_AND_OUT "wamp.close.goodbye_and_out"
#define WD_CLOSE_SYSTEM_SHUTDOWN "wamp.close.system_shutdown"

#endif
