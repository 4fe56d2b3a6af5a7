using System;
using System.Collections.Generic;
using System.Linq;

namespace MlOps.Cdf
{
    /// <summary>
    /// A 409: the externalIds (or ids) already exist. It is the <c>InnerException</c> of the
    /// <see cref="Diagnostics.MlOpsException"/> with error id <see cref="Diagnostics.CdfErrorIds.CdfDuplicated"/>, so callers that use
    /// "create with externalId" as an atomic claim can catch it precisely:
    /// <c>catch (MlOpsException e) when (e.InnerException is CdfDuplicateException dup)</c>.
    /// </summary>
    public sealed class CdfDuplicateException : Exception
    {
        internal CdfDuplicateException(CdfError error)
            : base(error.ToString())
        {
            Error = error;
        }

        /// <summary>CDF's answer.</summary>
        public CdfError Error { get; }

        /// <summary>The duplicated identifiers as CDF listed them.</summary>
        public IReadOnlyList<Identity> Duplicated => Error.Duplicated;

        /// <summary>The duplicated externalIds.</summary>
        public IReadOnlyList<string> DuplicatedExternalIds => Error.Duplicated.Where(d => d.ExternalId != null).Select(d => d.ExternalId!).ToList();

        /// <summary>The <c>X-Request-ID</c> of the answer.</summary>
        public string? RequestId => Error.RequestId;
    }
}
