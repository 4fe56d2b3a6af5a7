using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using MlOps.Registry;
using MlOps.Services;

namespace MlOps.Platforms
{
    /// <summary>
    /// A deployment history in folders: <c>&lt;root&gt;/&lt;service&gt;/history/&lt;N&gt;.json</c>, each entry created with
    /// CreateNew (the claim of its number) and flushed to disk with its folder before the call returns.
    /// </summary>
    public sealed class FolderDeploymentHistory : IDeploymentHistory
    {
        private const string HistoryFolder = "history";
        private static readonly JsonSerializerOptions JsonOptions = new JsonSerializerOptions { WriteIndented = true };
        private readonly string _root;

        public FolderDeploymentHistory(string root) => _root = root;

        private string Folder(string serviceName) => Path.Combine(_root, serviceName, HistoryFolder);

        public IReadOnlyList<DeploymentRecord> Read(string serviceName, CancellationToken cancellationToken)
        {
            var folder = Folder(serviceName);
            var result = new List<DeploymentRecord>();
            if (!Directory.Exists(folder))
            {
                return result;
            }

            foreach (var file in Directory.GetFiles(folder, "*.json"))
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    var record = DeploymentRecordFields.FromFields(JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(file)));
                    if (record != null)
                    {
                        result.Add(record);
                    }
                }
                catch (Exception e) when (e is JsonException || e is IOException)
                {
                    // Being written right now, or damaged: not an entry.
                }
            }

            return result.OrderBy(r => r.Sequence).ToList();
        }

        public DeploymentRecord Append(string serviceName, IReadOnlyList<DeploymentRecord> history, Func<int, DeploymentRecord> create)
        {
            var folder = Folder(serviceName);
            Directory.CreateDirectory(folder);
            var sequence = history.Select(r => r.Sequence).DefaultIfEmpty(0).Max() + 1;
            while (true)
            {
                var record = create(sequence);
                var path = Path.Combine(folder, sequence.ToString(CultureInfo.InvariantCulture) + ".json");
                try
                {
                    // CreateNew claims the number: a concurrent deployer of the same service gets the next one.
                    using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
                    {
                        JsonSerializer.Serialize(stream, DeploymentRecordFields.ToFields(record), JsonOptions);
                        stream.Flush(flushToDisk: true);
                    }

                    // The audit trail survives a power cut: the entry's bytes above, its name in the folder here.
                    DurableFiles.FlushFolder(folder);
                    return record;
                }
                catch (IOException) when (File.Exists(path))
                {
                    sequence++;
                }
            }
        }

        public bool Exists(string serviceName) => Directory.Exists(Folder(serviceName)) && Directory.EnumerateFiles(Folder(serviceName), "*.json").Any();
    }
}
