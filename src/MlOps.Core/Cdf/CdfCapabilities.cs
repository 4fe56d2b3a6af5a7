using System;
using System.Net.Http;
using System.Text.RegularExpressions;

namespace MlOps.Cdf
{
    /// <summary>The capability (<c>acl:ACTION</c>) each endpoint MlOps uses needs, so a 403 can say what to grant.</summary>
    public static class CdfCapabilities
    {
        /// <summary>Read file metadata and content.</summary>
        public const string FilesRead = "filesAcl:READ";
        /// <summary>Create, upload, update and delete files.</summary>
        public const string FilesWrite = "filesAcl:WRITE";
        /// <summary>Read functions, calls, responses and logs.</summary>
        public const string FunctionsRead = "functionsAcl:READ";
        /// <summary>Create and delete functions and schedules.</summary>
        public const string FunctionsWrite = "functionsAcl:WRITE";
        /// <summary>Call functions (older projects used WRITE).</summary>
        public const string FunctionsRun = "functionsAcl:RUN";
        /// <summary>Create sessions (nonces).</summary>
        public const string SessionsCreate = "sessionsAcl:CREATE";
        /// <summary>List and retrieve sessions.</summary>
        public const string SessionsList = "sessionsAcl:LIST";
        /// <summary>Revoke sessions.</summary>
        public const string SessionsDelete = "sessionsAcl:DELETE";

        private static readonly Regex Call = new Regex(@"^/functions/[^/]+/call/?$", RegexOptions.CultureInvariant);

        /// <summary>
        /// The capability <paramref name="method"/> on <paramref name="path"/> (relative to the project) needs, or null if
        /// unknown. Function calls need <c>functionsAcl:RUN</c> on current CDF (older projects used WRITE).
        /// </summary>
        public static string? Required(HttpMethod method, string path)
        {
            var readOnly = CdfRetryRules.Classify(method, path) == CdfRetryMode.Idempotent && method != HttpMethod.Put;
            if (path.StartsWith("/files", StringComparison.Ordinal))
            {
                return readOnly ? FilesRead : FilesWrite;
            }

            if (path.StartsWith("/functions", StringComparison.Ordinal))
            {
                if (method == HttpMethod.Post && Call.IsMatch(path))
                {
                    return FunctionsRun;
                }

                return readOnly ? FunctionsRead : FunctionsWrite;
            }

            if (path.StartsWith("/sessions", StringComparison.Ordinal))
            {
                if (path.StartsWith("/sessions/revoke", StringComparison.Ordinal))
                {
                    return SessionsDelete;
                }

                return readOnly ? SessionsList : SessionsCreate;
            }

            return null;
        }
    }
}
