using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MlOps.Services;
using MlOps.SourceControl;

namespace MlOps.Platforms
{
    /// <summary>
    /// A deployment record as a flat string map: the Local platform stores it as a JSON object, the CDF platform as the
    /// metadata of a CDF file (so its keys stay short and values bounded).
    /// </summary>
    internal static class DeploymentRecordFields
    {
        private const int MaxSummary = 1500;

        public static Dictionary<string, string> ToFields(DeploymentRecord record)
        {
            var fields = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["mlops_service"] = record.Name,
                ["mlops_sequence"] = record.Sequence.ToString(CultureInfo.InvariantCulture),
                ["mlops_action"] = record.Action,
                ["mlops_model"] = record.Model,
                ["mlops_kind"] = record.Service.Name(),
                ["mlops_environment"] = record.Environment,
                ["mlops_platform"] = record.Platform,
                ["mlops_deployment"] = record.DeploymentId,
                ["mlops_endpoint"] = record.Endpoint,
                ["mlops_time"] = record.DeployedTime.ToUniversalTime().ToString("o", CultureInfo.InvariantCulture),
                ["mlops_by"] = record.DeployedBy,
                ["mlops_tests_passed"] = record.TestsPassed ? "true" : "false",
                ["mlops_tests"] = record.TestSummary.Length > MaxSummary ? record.TestSummary.Substring(0, MaxSummary) + "…" : record.TestSummary,
                ["mlops_package"] = record.PackageSha256,
            };
            if (record.Version != null)
            {
                fields["mlops_version"] = record.Version.Value.ToString(CultureInfo.InvariantCulture);
            }

            if (record.ModelId != null)
            {
                fields["mlops_model_id"] = record.ModelId;
            }

            if (record.RestoredFrom != null)
            {
                fields["mlops_restored_from"] = record.RestoredFrom.Value.ToString(CultureInfo.InvariantCulture);
            }

            record.Revision?.WriteTo(fields, SourceRevision.CdfKeys);

            return fields;
        }

        /// <summary>The record the fields describe, or null when they are not a complete record.</summary>
        public static DeploymentRecord? FromFields(IReadOnlyDictionary<string, string>? fields)
        {
            if (fields == null)
            {
                return null;
            }

            string? Get(string key) => fields.TryGetValue(key, out var value) ? value : null;
            int? Int(string key) => int.TryParse(Get(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : (int?)null;
            var name = Get("mlops_service");
            var sequence = Int("mlops_sequence");
            var deployment = Get("mlops_deployment");
            if (name == null || sequence == null || deployment == null
                || !DateTimeOffset.TryParse(Get("mlops_time"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time))
            {
                return null;
            }

            return new DeploymentRecord(name, sequence.Value, Get("mlops_action") ?? DeploymentRecord.DeployAction, Get("mlops_model") ?? string.Empty,
                string.Equals(Get("mlops_kind"), "training", StringComparison.Ordinal) ? ServiceKind.Training : ServiceKind.Prediction,
                Get("mlops_environment") ?? string.Empty, Int("mlops_version"), Get("mlops_model_id"), Get("mlops_platform") ?? string.Empty,
                deployment, Get("mlops_endpoint") ?? string.Empty, time, Get("mlops_by") ?? string.Empty,
                string.Equals(Get("mlops_tests_passed"), "true", StringComparison.Ordinal), Get("mlops_tests") ?? string.Empty,
                Get("mlops_package") ?? string.Empty, Int("mlops_restored_from"), SourceRevision.ReadFrom(Get, SourceRevision.CdfKeys));
        }

        public static string Summary(IEnumerable<ServiceTestResult> tests) =>
            string.Join("\n", tests.Select(t => $"{t.Test}: {(t.Passed ? "passed" : "failed")}"
                + (t.Message.Length > 0 ? " - " + FirstLine(t.Message) : string.Empty)));

        private static string FirstLine(string text)
        {
            var line = text.Replace("\r", string.Empty).Split('\n')[0];
            return line.Length > 200 ? line.Substring(0, 200) + "…" : line;
        }

        /// <summary>Marks which entries are current and which deployments still exist.</summary>
        public static IReadOnlyList<DeploymentRecord> Mark(IEnumerable<DeploymentRecord> records, string? currentDeploymentId, Func<DeploymentRecord, bool> available)
        {
            var ordered = records.OrderBy(r => r.Sequence).ToList();
            var last = ordered.LastOrDefault();
            foreach (var record in ordered)
            {
                record.IsCurrent = ReferenceEquals(record, last) && record.Action != DeploymentRecord.RemovedAction
                    && (currentDeploymentId == null || record.DeploymentId == currentDeploymentId);
                record.IsAvailable = available(record);
            }

            return ordered;
        }

        /// <summary>The deployment ids to keep: the <paramref name="keep"/> most recently activated ones.</summary>
        public static HashSet<string> Kept(IEnumerable<DeploymentRecord> records, int keep) =>
            new HashSet<string>(records.OrderByDescending(r => r.Sequence).Select(r => r.DeploymentId).Distinct(StringComparer.Ordinal).Take(keep),
                StringComparer.Ordinal);
    }
}
