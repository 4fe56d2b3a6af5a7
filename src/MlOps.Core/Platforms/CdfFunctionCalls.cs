using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using MlOps.Cdf;
using MlOps.Diagnostics;
using MlOps.Services;
using MlOps.Settings;

namespace MlOps.Platforms
{
    /// <summary>Calls to a service's function on CDF Functions (each with a session of its own) and the logs of its calls.</summary>
    internal sealed class CdfFunctionCalls
    {
        private readonly CdfFunctionsSettings _settings;
        private readonly ICdfFunctions _functions;
        private readonly ICdfSessions _sessions;
        private readonly CdfAuthKind _auth;
        private readonly CdfRetryPolicy _retry;
        private readonly Func<TimeSpan> _pollInterval;

        public CdfFunctionCalls(CdfFunctionsSettings settings, ICdfFunctions functions, ICdfSessions sessions, CdfAuthKind auth, CdfRetryPolicy retry,
            Func<TimeSpan> pollInterval)
        {
            _settings = settings;
            _functions = functions;
            _sessions = sessions;
            _auth = auth;
            _retry = retry;
            _pollInterval = pollInterval;
        }

        /// <summary>Calls the function at <paramref name="endpoint"/> and waits for its answer (at most <paramref name="timeout"/>).</summary>
        public string Call(string endpoint, string dataJson, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var functionId = FunctionId(endpoint);
            var bytes = System.Text.Encoding.UTF8.GetByteCount(dataJson);
            if (bytes > _settings.CallDataLimitBytes)
            {
                // Checked here: CDF would refuse it only after the session was made, with a less helpful message.
                throw new MlOpsException(ErrorIds.InvalidServiceInput, MlOpsErrorKind.InvalidArgument,
                    $"The call's data is {bytes:N0} bytes; CDF Functions in this project takes at most {_settings.CallDataLimitBytes:N0} bytes per call " +
                    "(36 kB on Azure, 240 kB on AWS, 9 MB on Google Cloud).", endpoint,
                    "Send fewer rows per call (several calls), or let the model read its input from CDF (a file or time series named in the data) and " +
                    "write large predictions to CDF Files; if the project's limit is higher, set \"callDataLimitKb\" under the environment's platform.");
            }

            object data;
            using (var document = JsonDocument.Parse(dataJson))
            {
                data = document.RootElement.Clone();
            }

            FunctionCall call;
            try
            {
                call = CallWithSession(functionId, data, endpoint, cancellationToken);
            }
            catch (MlOpsException e) when (e.ErrorId == CdfErrorIds.CdfBadRequest || e.ErrorId == CdfErrorIds.CdfResourceNotFound)
            {
                throw new MlOpsException(ErrorIds.ServiceUnavailable, MlOpsErrorKind.ConnectionError,
                    $"Function {functionId} does not take calls: {e.Message}", endpoint,
                    "Check it with Get-MlService; deploy it again or roll back with Restore-MlService.", e);
            }

            var deadline = DateTime.UtcNow + timeout;
            var delay = TimeSpan.FromMilliseconds(100);
            while (call.Status == "Running")
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new MlOpsException(ErrorIds.ProcessTimedOut, MlOpsErrorKind.OperationTimeout,
                        $"Call {call.Id} of function {functionId} did not finish within {timeout.TotalSeconds:0} s (it may still be running in CDF).", endpoint);
                }

                Task.Delay(delay, cancellationToken).GetAwaiter().GetResult();
                delay = TimeSpan.FromMilliseconds(Math.Min(_pollInterval().TotalMilliseconds, delay.TotalMilliseconds * 2));
                var id = call.Id;
                call = _retry.Read(ct => _functions.GetCallAsync(functionId, id, ct), cancellationToken);
            }

            if (call.Status != "Completed")
            {
                var logs = TryLogs(functionId, call.Id, cancellationToken);
                throw new MlOpsException(ErrorIds.ServiceCallFailed, MlOpsErrorKind.InvalidResult,
                    $"Call {call.Id} of function {functionId} ended {call.Status}: {call.ErrorMessage ?? "no reason given"}"
                    + (logs.Length > 0 ? "\nLast lines of its log:\n" + logs : string.Empty), endpoint,
                    "See Get-MlServiceLog; a crash or timeout inside the function is the model's or its resources' (cpu, memory) doing.");
            }

            var response = _retry.Read(ct => _functions.GetCallResponseAsync(functionId, call.Id, ct), cancellationToken);
            return response.Response?.GetRawText() ?? "null";
        }

        /// <summary>The log lines of the last 20 calls of the function at <paramref name="endpoint"/>.</summary>
        public IEnumerable<ServiceLogEntry> Logs(string serviceName, string endpoint, CancellationToken cancellationToken)
        {
            var functionId = FunctionId(endpoint);
            var calls = _retry.Read(ct => _functions.ListCallsAsync(functionId, null, 100, null, ct), cancellationToken).Items
                .OrderBy(c => c.StartTime ?? 0).ToList();
            var entries = new List<ServiceLogEntry>();
            foreach (var call in calls.Skip(Math.Max(0, calls.Count - 20)))
            {
                var lines = _retry.Read(ct => _functions.GetCallLogsAsync(functionId, call.Id, ct), cancellationToken).Select(l => l.Message ?? string.Empty);
                foreach (var entry in ServiceLogEntry.ParseLines(serviceName, lines))
                {
                    entries.Add(entry.CallId.Length > 0 ? entry
                        : new ServiceLogEntry(serviceName, entry.Time, entry.Level, call.Id.ToString(CultureInfo.InvariantCulture), entry.Logger, entry.Message));
                }
            }

            return entries;
        }

        /// <summary>The function id an endpoint (<c>…/functions/&lt;id&gt;</c>) names.</summary>
        public static long FunctionId(string endpoint)
        {
            var slash = endpoint.LastIndexOf('/');
            if (slash < 0 || !long.TryParse(endpoint.Substring(slash + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
            {
                throw new MlOpsException(ErrorIds.ServiceUnavailable, MlOpsErrorKind.InvalidArgument, $"'{endpoint}' is not a CDF function endpoint.", endpoint);
            }

            return id;
        }

        /// <summary>
        /// Calls a function with a session nonce made for the call. CDF answers 401 to a nonce that was used, expired or revoked
        /// (the token itself being fine): the call is made once more with a fresh session, and when that is refused too the
        /// error says it was the session, not the credentials.
        /// </summary>
        private FunctionCall CallWithSession(long functionId, object data, string endpoint, CancellationToken cancellationToken)
        {
            if (_auth == CdfAuthKind.ApiKey)
            {
                return _functions.CallAsync(functionId, data, null, cancellationToken).GetAwaiter().GetResult();
            }

            for (var attempt = 1; ; attempt++)
            {
                var nonce = _retry.Repeat(ct => _sessions.CreateFromClientCredentialsAsync(ct), cancellationToken).Nonce;
                try
                {
                    return _functions.CallAsync(functionId, data, nonce, cancellationToken).GetAwaiter().GetResult();
                }
                catch (MlOpsException e) when (e.ErrorId == CdfErrorIds.CdfAuthenticationFailed && attempt == 1)
                {
                    // The session was just made with these credentials, so they work: the nonce was refused. One fresh session.
                }
                catch (MlOpsException e) when (e.ErrorId == CdfErrorIds.CdfAuthenticationFailed)
                {
                    throw new MlOpsException(ErrorIds.CdfSessionRejected, MlOpsErrorKind.SecurityError,
                        $"CDF refused the sessions made for a call of function {functionId} twice; the client's credentials work (CDF made the sessions), " +
                        $"so the session (its nonce) is what was refused: {e.Message}", endpoint,
                        "Call again; if it persists, check that the client may create sessions (sessionsAcl:CREATE) and that the project accepts " +
                        "client-credentials sessions (Test-MlCdfConnection).", e);
                }
            }
        }

        private string TryLogs(long functionId, long callId, CancellationToken cancellationToken)
        {
            try
            {
                var lines = _retry.Read(ct => _functions.GetCallLogsAsync(functionId, callId, ct), cancellationToken).Select(l => l.Message ?? string.Empty).ToList();
                return string.Join("\n", lines.Skip(Math.Max(0, lines.Count - 15)));
            }
            catch (MlOpsException)
            {
                return string.Empty;
            }
        }
    }
}
