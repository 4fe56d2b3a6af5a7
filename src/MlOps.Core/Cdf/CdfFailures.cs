using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using MlOps.Diagnostics;

namespace MlOps.Cdf
{
    /// <summary>
    /// Turns failed requests into <see cref="MlOpsException"/>s that carry CDF's message, the HTTP status and the
    /// <c>X-Request-ID</c>. Never includes request bodies or headers; every text from outside passes the redactor.
    /// </summary>
    internal static class CdfFailures
    {
        private const int MaxErrorBody = 64 * 1024;

        private const string Reconcile =
            " The request is not safe to repeat blindly: it may have taken effect. Re-read the resource (for example by externalId) before trying again.";

        public static async Task<MlOpsException> FromResponseAsync(HttpResponseMessage response, CdfOperation operation, SecretRedactor redactor)
        {
            var status = (int)response.StatusCode;
            var requestId = RequestId(response);
            string? body = null;
            try
            {
                var text = response.Content == null ? "" : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                body = text.Length > MaxErrorBody ? text.Substring(0, MaxErrorBody) : text;
            }
            catch (HttpRequestException)
            {
                // The error body is a courtesy; the status and request id still say what happened.
            }
            catch (System.IO.IOException)
            {
            }

            var (message, missing, duplicated) = Parse(body, response.ReasonPhrase);
            message = redactor.Redact(message);
            var error = new CdfError(operation.Name, status, message, requestId, missing, duplicated);
            var text2 = $"{operation.Name} failed with HTTP {status} ({response.ReasonPhrase}): {message}"
                + (requestId is null ? "" : $" X-Request-ID: {requestId}.");

            // The identity provider refusing the credentials is an authentication failure; the provider being throttled or
            // down (429, 5xx) is not: those are reported like any other unavailable service, so nobody doubts a good secret.
            if (operation.IsTokenRequest && status != 429 && status < 500)
            {
                return new MlOpsException(CdfErrorIds.CdfAuthenticationFailed, MlOpsErrorKind.SecurityError,
                    "The identity provider refused the client credentials. " + text2, error,
                    "Check the client id, the client secret (the environment variable it is read from), the token URL and the scopes.");
            }

            switch (status)
            {
                case 401:
                    return new MlOpsException(CdfErrorIds.CdfAuthenticationFailed, MlOpsErrorKind.SecurityError, text2, error,
                        "Check the credentials and that the token is issued for this cluster (scope) and project.");
                case 403:
                    var capability = operation.Capability;
                    return new MlOpsException(CdfErrorIds.CdfAccessDenied, MlOpsErrorKind.SecurityError,
                        text2 + (capability is null ? "" : $" This request needs the capability {capability} in project '{operation.Project}'."),
                        error, capability is null
                            ? "Ask a CDF administrator for access to the project."
                            : $"Ask a CDF administrator to grant {capability} to a group of this client in project '{operation.Project}'.");
                case 409:
                    var duplicateText = duplicated.Count > 0 ? $" Duplicated: {string.Join(", ", duplicated)}." : "";
                    return new MlOpsException(CdfErrorIds.CdfDuplicated, MlOpsErrorKind.AlreadyExists, text2 + duplicateText, error,
                        "Use another externalId, or delete or reuse the existing resource.", new CdfDuplicateException(error));
                case 404:
                    return new MlOpsException(CdfErrorIds.CdfResourceNotFound, MlOpsErrorKind.NotFound, text2 + MissingText(missing), error);
                case 429:
                    return new MlOpsException(CdfErrorIds.CdfThrottled, MlOpsErrorKind.ResourceUnavailable,
                        text2 + " CDF kept throttling after every retry.", error, "Wait and try again, or lower the request rate.");
            }

            if (status >= 500)
            {
                return new MlOpsException(CdfErrorIds.CdfServiceUnavailable, MlOpsErrorKind.ResourceUnavailable,
                    text2 + (operation.RetryMode == CdfRetryMode.Idempotent ? " CDF kept failing after every retry." : Reconcile), error,
                    "Try again later; quote the X-Request-ID to Cognite support if it persists.");
            }

            if (missing.Count > 0)
            {
                return new MlOpsException(CdfErrorIds.CdfResourceNotFound, MlOpsErrorKind.NotFound, text2 + MissingText(missing), error);
            }

            return new MlOpsException(CdfErrorIds.CdfBadRequest, MlOpsErrorKind.InvalidArgument, text2, error);
        }

        public static MlOpsException Connection(CdfOperation operation, Exception exception, SecretRedactor redactor)
        {
            var detail = redactor.Redact(Innermost(exception).Message);
            var error = new CdfError(operation.Name, 0, detail, null, Array.Empty<Identity>(), Array.Empty<Identity>());
            return new MlOpsException(CdfErrorIds.CdfConnectionFailed, MlOpsErrorKind.ConnectionError,
                $"{operation.Name} failed: the connection to {operation.Host} failed or was dropped ({detail})."
                + (operation.RetryMode == CdfRetryMode.Idempotent ? "" : Reconcile), error,
                "Check the base URL, the network and any proxy; then try again.");
        }

        public static MlOpsException Timeout(CdfOperation operation, TimeSpan timeout)
        {
            var detail = $"no answer within {timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s";
            var error = new CdfError(operation.Name, 0, detail, null, Array.Empty<Identity>(), Array.Empty<Identity>());
            return new MlOpsException(CdfErrorIds.CdfTimeout, MlOpsErrorKind.OperationTimeout,
                $"{operation.Name} timed out: {detail}." + (operation.RetryMode == CdfRetryMode.Idempotent ? "" : Reconcile), error,
                "Try again, or raise the timeout in the client options.");
        }

        public static MlOpsException InvalidResponse(CdfOperation operation, int status, string? requestId, string detail)
        {
            var error = new CdfError(operation.Name, status, detail, requestId, Array.Empty<Identity>(), Array.Empty<Identity>());
            return new MlOpsException(CdfErrorIds.CdfInvalidResponse, MlOpsErrorKind.InvalidResult,
                $"{operation.Name} returned HTTP {status} with an answer the client cannot read: {detail}"
                + (requestId is null ? "" : $" X-Request-ID: {requestId}."), error);
        }

        public static string? RequestId(HttpResponseMessage response) =>
            response.Headers.TryGetValues("X-Request-ID", out var values) ? values.FirstOrDefault() : null;

        private static string MissingText(IReadOnlyList<Identity> missing) =>
            missing.Count > 0 ? $" Missing: {string.Join(", ", missing)}." : "";

        private static Exception Innermost(Exception e)
        {
            while (e.InnerException != null)
            {
                e = e.InnerException;
            }

            return e;
        }

        private static (string Message, IReadOnlyList<Identity> Missing, IReadOnlyList<Identity> Duplicated) Parse(string? body, string? reason)
        {
            var none = (IReadOnlyList<Identity>)Array.Empty<Identity>();
            if (string.IsNullOrWhiteSpace(body))
            {
                return (reason ?? "no error message", none, none);
            }

            try
            {
                using var document = JsonDocument.Parse(body!);
                var root = document.RootElement;
                if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error))
                {
                    if (error.ValueKind == JsonValueKind.Object)
                    {
                        var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : reason ?? "";
                        return (message, Identities(error, "missing"), Identities(error, "duplicated"));
                    }

                    if (error.ValueKind == JsonValueKind.String)
                    {
                        // OAuth 2.0 errors: {"error":"invalid_client","error_description":"..."}.
                        var description = root.TryGetProperty("error_description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                        return (error.GetString() + (description is null ? "" : ": " + description), none, none);
                    }
                }
            }
            catch (JsonException)
            {
            }

            var trimmed = body!.Trim();
            return (trimmed.Length > 500 ? trimmed.Substring(0, 500) + "…" : trimmed, none, none);
        }

        private static IReadOnlyList<Identity> Identities(JsonElement error, string name)
        {
            var result = new List<Identity>();
            if (!error.TryGetProperty(name, out var list) || list.ValueKind != JsonValueKind.Array)
            {
                return result;
            }

            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                if (item.TryGetProperty("externalId", out var x) && x.ValueKind == JsonValueKind.String && !string.IsNullOrEmpty(x.GetString()))
                {
                    result.Add(Identity.Create(x.GetString()!));
                }
                else if (item.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number && id.TryGetInt64(out var n) && n > 0)
                {
                    result.Add(Identity.Create(n));
                }
            }

            return result;
        }
    }
}
