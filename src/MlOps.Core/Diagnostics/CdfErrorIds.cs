namespace MlOps.Diagnostics
{
    /// <summary>Stable error ids of CDF failures (the <c>ErrorId</c> of the <see cref="MlOpsException"/> thrown).</summary>
    public static class CdfErrorIds
    {
        /// <summary>401, or the identity provider refused the credentials.</summary>
        public const string CdfAuthenticationFailed = "CdfAuthenticationFailed";

        /// <summary>403: the token is valid but lacks a capability or access to the project.</summary>
        public const string CdfAccessDenied = "CdfAccessDenied";

        /// <summary>404, or 400 naming unknown ids in <c>missing</c>.</summary>
        public const string CdfResourceNotFound = "CdfResourceNotFound";

        /// <summary>409: an externalId already exists (see <c>CdfDuplicateException</c>).</summary>
        public const string CdfDuplicated = "CdfDuplicated";

        /// <summary>Any other 4xx: CDF rejected the request as invalid.</summary>
        public const string CdfBadRequest = "CdfBadRequest";

        /// <summary>429 after every retry.</summary>
        public const string CdfThrottled = "CdfThrottled";

        /// <summary>5xx after every retry (or at once for requests that are not safe to repeat).</summary>
        public const string CdfServiceUnavailable = "CdfServiceUnavailable";

        /// <summary>The connection failed or was dropped.</summary>
        public const string CdfConnectionFailed = "CdfConnectionFailed";

        /// <summary>A request took longer than its timeout.</summary>
        public const string CdfTimeout = "CdfTimeout";

        /// <summary>CDF answered with something the client could not read.</summary>
        public const string CdfInvalidResponse = "CdfInvalidResponse";

        /// <summary>The options are incomplete or inconsistent.</summary>
        public const string CdfInvalidOptions = "CdfInvalidOptions";

        /// <summary>An environment's CDF client secret is not set (its variable, or Connect-MlCdf for the session).</summary>
        public const string SecretMissing = "CdfSecretMissing";
    }
}
