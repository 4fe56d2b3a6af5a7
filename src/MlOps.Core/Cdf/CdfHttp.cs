using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using MlOps.Diagnostics;
using Polly;
using Polly.Retry;

namespace MlOps.Cdf
{
    /// <summary>
    /// The transport under every resource: one HttpClient, authentication (re-read before every attempt), Polly retries
    /// by <see cref="CdfRetryMode"/>, per-attempt timeouts, and failures turned into <see cref="MlOpsException"/>s.
    /// </summary>
    internal sealed class CdfHttp : IDisposable
    {
        private static readonly ResiliencePropertyKey<CdfOperation> OperationKey = new ResiliencePropertyKey<CdfOperation>("mlops.cdf.operation");
        private static readonly string SdkHeader = "MlOps/" + typeof(CdfHttp).Assembly.GetName().Version;

        private readonly HttpClient http;
        private readonly CdfClientOptions options;
        private readonly CdfRetryOptions retry;
        private readonly Uri apiUrl;
        private readonly CdfTokenProvider? tokens;
        private readonly ResiliencePipeline<HttpResponseMessage> idempotent;
        private readonly ResiliencePipeline<HttpResponseMessage> onlyThrottled;

        public CdfHttp(CdfClientOptions options, HttpMessageHandler? handler)
        {
            this.options = options;
            retry = options.Retry.Clone();
            apiUrl = new Uri(options.ApiUrl);
            Redactor = new SecretRedactor();
            var credentials = options.Credentials!;
            Redactor.Add(credentials.Secret);
            Credentials = credentials;

            // Redirects are not followed: a redirect to another host would carry the bearer token with it.
            http = handler is null
                ? new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate }, disposeHandler: true)
                : new HttpClient(handler, disposeHandler: false);
            http.Timeout = System.Threading.Timeout.InfiniteTimeSpan;

            if (credentials.Kind == CdfAuthKind.ClientCredentials)
            {
                var scopes = credentials.Scopes.Count > 0 ? string.Join(" ", credentials.Scopes) : options.BaseUrl.TrimEnd('/') + "/.default";
                tokens = new CdfTokenProvider(this, credentials, scopes, options.TimeProvider, options.TokenRefreshMargin);
            }

            idempotent = Build(CdfRetryMode.Idempotent);
            onlyThrottled = Build(CdfRetryMode.OnlyThrottled);
        }

        public SecretRedactor Redactor { get; }

        public CdfCredentials Credentials { get; }

        public CdfClientOptions Options => options;

        public string Project => options.Project;

        public CdfTokenProvider? Tokens => tokens;

        /// <summary>Calls a project API path (e.g. <c>/files/list</c>) with a JSON body (or none) and reads a JSON answer.</summary>
        public async Task<T> JsonAsync<T>(HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken, string query = "")
        {
            var operation = CdfOperation.Api(method, path, apiUrl, options.Project);
            using var response = await ApiAsync(method, path, body, query, operation, cancellationToken).ConfigureAwait(false);
            return await ReadJsonAsync<T>(response, operation, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Like <see cref="JsonAsync{T}"/> for calls whose answer is not needed (<c>{}</c>).</summary>
        public async Task SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken, string query = "")
        {
            var operation = CdfOperation.Api(method, path, apiUrl, options.Project);
            using var response = await ApiAsync(method, path, body, query, operation, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>GET on an absolute URL outside the API (CDF's <c>/api/v1/token/inspect</c>), with authentication.</summary>
        public async Task<T> GetAbsoluteJsonAsync<T>(string url, string name, CancellationToken cancellationToken)
        {
            var uri = new Uri(url);
            var operation = new CdfOperation("GET " + name, uri.Authority, options.Project, CdfRetryMode.Idempotent);
            using var response = await ExecuteAsync(operation, () => new HttpRequestMessage(HttpMethod.Get, uri), true,
                HttpCompletionOption.ResponseContentRead, options.RequestTimeout, cancellationToken).ConfigureAwait(false);
            return await ReadJsonAsync<T>(response, operation, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Sends a request built fresh for every attempt and returns the successful response (the caller disposes it);
        /// a failure after the last attempt becomes an <see cref="MlOpsException"/>.
        /// </summary>
        public async Task<HttpResponseMessage> ExecuteAsync(CdfOperation operation, Func<HttpRequestMessage> createRequest, bool authenticate,
            HttpCompletionOption completion, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var pipeline = operation.RetryMode switch
            {
                CdfRetryMode.Idempotent => idempotent,
                CdfRetryMode.OnlyThrottled => onlyThrottled,
                _ => ResiliencePipeline<HttpResponseMessage>.Empty,
            };
            var context = ResilienceContextPool.Shared.Get(cancellationToken);
            context.Properties.Set(OperationKey, operation);
            HttpResponseMessage response;
            try
            {
                response = await pipeline.ExecuteAsync(
                    (ctx, state) => new ValueTask<HttpResponseMessage>(state.AttemptAsync(operation, createRequest, authenticate, completion, timeout, ctx.CancellationToken)),
                    context, this).ConfigureAwait(false);
            }
            catch (AttemptTimeoutException e)
            {
                throw CdfFailures.Timeout(operation, e.Timeout);
            }
            catch (HttpRequestException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw CdfFailures.Connection(operation, e, Redactor);
            }
            catch (IOException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw CdfFailures.Connection(operation, e, Redactor);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }

            if (!response.IsSuccessStatusCode)
            {
                using (response)
                {
                    throw await CdfFailures.FromResponseAsync(response, operation, Redactor).ConfigureAwait(false);
                }
            }

            return response;
        }

        public void Dispose() => http.Dispose();

        private Task<HttpResponseMessage> ApiAsync(HttpMethod method, string path, JsonNode? body, string query, CdfOperation operation,
            CancellationToken cancellationToken)
        {
            var url = new Uri(options.ApiUrl + path + query);
            var bytes = body is null ? null : Encoding.UTF8.GetBytes(body.ToJsonString());
            return ExecuteAsync(operation, () =>
            {
                var request = new HttpRequestMessage(method, url);
                if (bytes != null)
                {
                    request.Content = new ByteArrayContent(bytes);
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                }

                return request;
            }, true, HttpCompletionOption.ResponseContentRead, options.RequestTimeout, cancellationToken);
        }

        private async Task<HttpResponseMessage> AttemptAsync(CdfOperation operation, Func<HttpRequestMessage> createRequest, bool authenticate,
            HttpCompletionOption completion, TimeSpan timeout, CancellationToken cancellationToken)
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(timeout);
            try
            {
                string? usedToken;
                HttpResponseMessage response;
                using (var request = createRequest())
                {
                    usedToken = authenticate ? await AuthenticateAsync(request, null, attempt.Token).ConfigureAwait(false) : null;
                    response = await http.SendAsync(request, completion, attempt.Token).ConfigureAwait(false);
                }

                if (response.StatusCode == HttpStatusCode.Unauthorized && usedToken != null)
                {
                    // The token was revoked or expired early: fetch a new one and try once more within this attempt.
                    response.Dispose();
                    using var again = createRequest();
                    await AuthenticateAsync(again, usedToken, attempt.Token).ConfigureAwait(false);
                    response = await http.SendAsync(again, completion, attempt.Token).ConfigureAwait(false);
                }

                return response;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new AttemptTimeoutException(timeout);
            }
        }

        /// <summary>Sets the auth and client headers; returns the bearer token used (null for API keys).</summary>
        private async Task<string?> AuthenticateAsync(HttpRequestMessage request, string? rejectedToken, CancellationToken cancellationToken)
        {
            request.Headers.TryAddWithoutValidation("x-cdp-app", options.AppName);
            request.Headers.TryAddWithoutValidation("x-cdp-sdk", SdkHeader);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (tokens is null)
            {
                request.Headers.TryAddWithoutValidation("api-key", Credentials.Secret);
                return null;
            }

            var token = await tokens.GetTokenAsync(rejectedToken, cancellationToken).ConfigureAwait(false);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return token;
        }

        private async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, CdfOperation operation, CancellationToken cancellationToken)
        {
            try
            {
                using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                var value = await JsonSerializer.DeserializeAsync<T>(stream, CdfJson.Options, cancellationToken).ConfigureAwait(false);
                return value ?? throw CdfFailures.InvalidResponse(operation, (int)response.StatusCode, CdfFailures.RequestId(response), "the body is empty or null.");
            }
            catch (JsonException e)
            {
                throw CdfFailures.InvalidResponse(operation, (int)response.StatusCode, CdfFailures.RequestId(response), Redactor.Redact(e.Message));
            }
        }

        private ResiliencePipeline<HttpResponseMessage> Build(CdfRetryMode mode)
        {
            if (retry.MaxAttempts <= 1)
            {
                return ResiliencePipeline<HttpResponseMessage>.Empty;
            }

            return new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = options.TimeProvider }
                .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
                {
                    MaxRetryAttempts = retry.MaxAttempts - 1,
                    ShouldHandle = args => new ValueTask<bool>(ShouldRetry(args.Outcome, mode)),
                    DelayGenerator = args => new ValueTask<TimeSpan?>(CdfRetryRules.Delay(retry, args.AttemptNumber, RetryAfter(args.Outcome.Result))),
                    OnRetry = args =>
                    {
                        Notify(args.Context, args.AttemptNumber, args.RetryDelay, args.Outcome);

                        // The failed answer is not handed to anyone; release its connection now.
                        args.Outcome.Result?.Dispose();
                        return default;
                    },
                })
                .Build();
        }

        private static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, CdfRetryMode mode)
        {
            if (outcome.Exception is Exception e)
            {
                return mode == CdfRetryMode.Idempotent && (e is HttpRequestException || e is IOException || e is AttemptTimeoutException);
            }

            return outcome.Result is HttpResponseMessage response && CdfRetryRules.IsRetryableStatus((int)response.StatusCode, mode);
        }

        private TimeSpan? RetryAfter(HttpResponseMessage? response)
        {
            var header = response?.Headers.RetryAfter;
            if (header is null)
            {
                return null;
            }

            if (header.Delta is TimeSpan delta)
            {
                return delta;
            }

            return header.Date is DateTimeOffset date ? date - options.TimeProvider.GetUtcNow() : (TimeSpan?)null;
        }

        private void Notify(ResilienceContext context, int attemptNumber, TimeSpan delay, Outcome<HttpResponseMessage> outcome)
        {
            var callback = options.OnRetry;
            if (callback is null || !context.Properties.TryGetValue(OperationKey, out var operation))
            {
                return;
            }

            int? status = outcome.Result is HttpResponseMessage r ? (int)r.StatusCode : (int?)null;
            var requestId = outcome.Result is HttpResponseMessage m ? CdfFailures.RequestId(m) : null;
            var reason = outcome.Exception switch
            {
                AttemptTimeoutException t => $"timeout after {t.Timeout.TotalSeconds:0.###} s",
                Exception x => "connection failed: " + Redactor.Redact(x.GetBaseException().Message),
                _ => $"HTTP {status}",
            };
            try
            {
                callback(new CdfRetryNotice(operation.Name, attemptNumber + 1, retry.MaxAttempts, delay, status, requestId, reason));
            }
            catch (Exception)
            {
                // A logging callback must not change the outcome of the request.
            }
        }
    }
}
