using System;

namespace MlOps.Services
{
    /// <summary>One line of a service's log: what the runtime and the model code logged (or printed).</summary>
    public sealed class ServiceLogEntry
    {
        public ServiceLogEntry(string serviceName, DateTimeOffset? time, string level, string callId, string logger, string message)
        {
            ServiceName = serviceName;
            Time = time;
            Level = level;
            CallId = callId;
            Logger = logger;
            Message = message;
        }

        public string ServiceName { get; }

        /// <summary>UTC time of the line; null for output that was printed rather than logged.</summary>
        public DateTimeOffset? Time { get; }

        public string Level { get; }

        /// <summary>The call the line belongs to, or '-' outside calls.</summary>
        public string CallId { get; }

        public string Logger { get; }
        public string Message { get; }

        public override string ToString() => $"{Time:o} {Level} [{CallId}] {Logger}: {Message}";

        /// <summary>Parses a log; lines that start with a tab continue the record before them (tracebacks, multi-line messages).</summary>
        public static System.Collections.Generic.IEnumerable<ServiceLogEntry> ParseLines(string serviceName, System.Collections.Generic.IEnumerable<string> lines)
        {
            ServiceLogEntry? pending = null;
            foreach (var raw in lines)
            {
                var line = raw.TrimEnd('\r');
                if (line.StartsWith("\t", StringComparison.Ordinal) && pending != null)
                {
                    pending = new ServiceLogEntry(serviceName, pending.Time, pending.Level, pending.CallId, pending.Logger,
                        pending.Message + "\n" + line.Substring(1));
                    continue;
                }

                if (pending != null)
                {
                    yield return pending;
                }

                pending = line.Length > 0 ? Parse(serviceName, line) : null;
            }

            if (pending != null)
            {
                yield return pending;
            }
        }

        /// <summary>Parses a runtime log line (time, level, call id, logger, message separated by tabs); anything else is kept as printed output.</summary>
        public static ServiceLogEntry Parse(string serviceName, string line)
        {
            var parts = line.Split(new[] { '\t' }, 5);
            if (parts.Length == 5 && DateTimeOffset.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var time))
            {
                return new ServiceLogEntry(serviceName, time, parts[1], parts[2], parts[3], parts[4]);
            }

            return new ServiceLogEntry(serviceName, null, "OUTPUT", "-", "stdout", line);
        }
    }
}
