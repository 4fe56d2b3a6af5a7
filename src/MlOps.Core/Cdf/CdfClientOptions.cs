using System;

namespace MlOps.Cdf
{
    /// <summary>Where and how a <c>CdfClient</c> talks to CDF. Safe to print: the credentials mask their secret.</summary>
    public sealed class CdfClientOptions
    {
        /// <summary>The cluster URL, for example <c>https://westeurope-1.cognitedata.com</c> (no <c>/api/v1</c>).</summary>
        public string BaseUrl { get; set; } = "https://api.cognitedata.com";

        /// <summary>The project's URL name.</summary>
        public string Project { get; set; } = "";

        /// <summary>Client credentials or an API key.</summary>
        public CdfCredentials? Credentials { get; set; }

        /// <summary>Sent as <c>x-cdp-app</c> so CDF's logs can tell MlOps's traffic apart.</summary>
        public string AppName { get; set; } = "MlOps";

        /// <summary>Time allowed for one attempt of an API request, including reading its JSON answer.</summary>
        public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>Time allowed for one upload PUT, or for a download to start answering.</summary>
        public TimeSpan TransferTimeout { get; set; } = TimeSpan.FromMinutes(10);

        /// <summary>Retry limits and delays.</summary>
        public CdfRetryOptions Retry { get; set; } = new CdfRetryOptions();

        /// <summary>A cached token is renewed once it is this close to expiry.</summary>
        public TimeSpan TokenRefreshMargin { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>
        /// Uploads longer than this go through multipart upload with parts of this size (CDF: 5 MiB to 4000 MiB per
        /// part, at most 250 parts; the part size grows if 250 would not be enough).
        /// </summary>
        public long MultipartPartSize { get; set; } = 1024L * 1024 * 1024;

        /// <summary>Clock for token expiry and retry delays; tests pass one they can move forward.</summary>
        public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

        /// <summary>
        /// Called before each retry, for logs; carries no secrets. It runs on whatever thread the request continues on (not
        /// the pipeline thread), so a cmdlet queues the notices and writes them from its own thread; exceptions are ignored.
        /// </summary>
        public Action<CdfRetryNotice>? OnRetry { get; set; }

        /// <summary><c>{BaseUrl}/api/v1/projects/{Project}</c>.</summary>
        public string ApiUrl => BaseUrl.TrimEnd('/') + "/api/v1/projects/" + Uri.EscapeDataString(Project);

        /// <inheritdoc />
        public override string ToString() => $"{ApiUrl} ({Credentials?.ToString() ?? "no credentials"})";
    }
}
