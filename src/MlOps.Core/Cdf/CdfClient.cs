using System;
using System.Net.Http;
using MlOps.Diagnostics;

namespace MlOps.Cdf
{
    /// <summary>
    /// A small typed CDF client for the endpoints MlOps uses, shaped like CogniteSdk's <c>Client</c> so it can be swapped
    /// for it later. Owns one HttpClient; dispose it when done.
    /// <code>
    /// using var cdf = new CdfClient(new CdfClientOptions
    /// {
    ///     BaseUrl = "https://westeurope-1.cognitedata.com", Project = "my-project",
    ///     Credentials = CdfCredentials.EntraClientCredentials(tenant, clientId, Environment.GetEnvironmentVariable("CDF_CLIENT_SECRET")),
    /// });
    /// var file = await cdf.Files.UploadAsync(new FileCreate { ExternalId = "model/v1", Name = "model.zip" }, stream);
    /// </code>
    /// </summary>
    public sealed class CdfClient : IDisposable
    {
        private readonly CdfHttp http;

        /// <summary>A client for <paramref name="options"/>; <paramref name="handler"/> replaces the network (tests, proxies) and is not disposed.</summary>
        public CdfClient(CdfClientOptions options, HttpMessageHandler? handler = null)
        {
            if (options is null)
            {
                throw new ArgumentNullException(nameof(options));
            }

            Validate(options);
            Options = options;
            http = new CdfHttp(options, handler);
            Files = new FilesResource(http);
            Sessions = new SessionsResource(http);
            Functions = new FunctionsResource(http);
            Token = new TokenResource(http);
            DataSets = new DataSetsResource(http);
        }

        /// <summary>The options this client was built from.</summary>
        public CdfClientOptions Options { get; }

        /// <summary>Data sets: resolving a data set's external id.</summary>
        public ICdfDataSets DataSets { get; }

        /// <summary>Files: metadata, upload, download, list, update, delete.</summary>
        public ICdfFiles Files { get; }

        /// <summary>Sessions: nonces for function calls and schedules.</summary>
        public ICdfSessions Sessions { get; }

        /// <summary>Functions, their calls and schedules.</summary>
        public ICdfFunctions Functions { get; }

        /// <summary>Token inspection: which projects and capabilities the credentials have.</summary>
        public ICdfTokenInspect Token { get; }

        /// <summary>Access tokens fetched from the identity provider so far (0 with an API key).</summary>
        public int TokensFetched => http.Tokens?.Fetched ?? 0;

        /// <inheritdoc />
        public void Dispose() => http.Dispose();

        /// <inheritdoc />
        public override string ToString() => "CdfClient " + Options;

        private static void Validate(CdfClientOptions options)
        {
            string? problem = null;
            if (!Uri.TryCreate(options.BaseUrl, UriKind.Absolute, out var baseUri) || (baseUri.Scheme != "https" && baseUri.Scheme != "http"))
            {
                problem = $"BaseUrl '{options.BaseUrl}' is not an absolute http(s) URL, such as https://westeurope-1.cognitedata.com.";
            }
            else if (string.IsNullOrWhiteSpace(options.Project))
            {
                problem = "Project is required.";
            }
            else if (options.Credentials is null)
            {
                problem = "Credentials are required (client credentials or an API key).";
            }
            else if (options.Retry is null || options.Retry.MaxAttempts < 1 || options.Retry.DelayScale < 0)
            {
                problem = "Retry.MaxAttempts must be at least 1 and Retry.DelayScale not negative.";
            }
            else if (options.RequestTimeout <= TimeSpan.Zero || options.TransferTimeout <= TimeSpan.Zero)
            {
                problem = "RequestTimeout and TransferTimeout must be positive.";
            }
            else if (options.MultipartPartSize < 1)
            {
                problem = "MultipartPartSize must be positive.";
            }

            if (problem != null)
            {
                throw new MlOpsException(CdfErrorIds.CdfInvalidOptions, MlOpsErrorKind.InvalidArgument, "Invalid CDF client options: " + problem, options);
            }
        }
    }
}
