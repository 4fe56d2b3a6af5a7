using System.Collections.Generic;

namespace MlOps.Cdf
{
    /// <summary>
    /// What CDF said about a failed request; the <c>Target</c> of the <see cref="Diagnostics.MlOpsException"/> thrown.
    /// Holds no request bodies or headers, so no secrets.
    /// </summary>
    public sealed class CdfError
    {
        internal CdfError(string operation, int statusCode, string message, string? requestId,
            IReadOnlyList<Identity> missing, IReadOnlyList<Identity> duplicated)
        {
            Operation = operation;
            StatusCode = statusCode;
            Message = message;
            RequestId = requestId;
            Missing = missing;
            Duplicated = duplicated;
        }

        /// <summary>For example <c>POST /files</c>.</summary>
        public string Operation { get; }

        /// <summary>The HTTP status; 0 when no answer arrived (connection failure, timeout).</summary>
        public int StatusCode { get; }

        /// <summary>CDF's (or the identity provider's) error message.</summary>
        public string Message { get; }

        /// <summary>The <c>X-Request-ID</c> response header, which Cognite support asks for.</summary>
        public string? RequestId { get; }

        /// <summary>Identifiers CDF reported as unknown (<c>error.missing</c>).</summary>
        public IReadOnlyList<Identity> Missing { get; }

        /// <summary>Identifiers CDF reported as already existing (<c>error.duplicated</c>).</summary>
        public IReadOnlyList<Identity> Duplicated { get; }

        /// <inheritdoc />
        public override string ToString() => $"{Operation} -> {StatusCode}: {Message}" + (RequestId is null ? "" : $" (X-Request-ID {RequestId})");
    }
}
