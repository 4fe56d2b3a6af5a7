using System;
using System.Net.Http;

namespace MlOps.Cdf
{
    /// <summary>One logical request (all its attempts): what to call it in messages and how to retry it.</summary>
    internal sealed class CdfOperation
    {
        public CdfOperation(string name, string host, string project, CdfRetryMode retryMode, string? capability = null, bool isTokenRequest = false)
        {
            Name = name;
            Host = host;
            Project = project;
            RetryMode = retryMode;
            Capability = capability;
            IsTokenRequest = isTokenRequest;
        }

        /// <summary><c>POST /files/list</c>; for transfers <c>PUT upload to host:port</c> (signed URLs are never named).</summary>
        public string Name { get; }

        public string Host { get; }

        public string Project { get; }

        public CdfRetryMode RetryMode { get; }

        public string? Capability { get; }

        public bool IsTokenRequest { get; }

        public static CdfOperation Api(HttpMethod method, string path, Uri apiUrl, string project) =>
            new CdfOperation($"{method.Method} {path}", apiUrl.Authority, project, CdfRetryRules.Classify(method, path),
                CdfCapabilities.Required(method, path));

        public override string ToString() => Name;
    }
}
