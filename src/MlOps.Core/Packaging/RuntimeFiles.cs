using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace MlOps.Packaging
{
    /// <summary>The generated Python runtime (handler.py and mlops_runtime/), embedded in this assembly.</summary>
    public static class RuntimeFiles
    {
        private const string Prefix = "MlOps.Runtime/";

        /// <summary>Package-relative path ('/'-separated) and content of every runtime file, in ordinal order.</summary>
        public static IReadOnlyList<(string Path, byte[] Content)> All()
        {
            var assembly = typeof(RuntimeFiles).Assembly;
            return assembly.GetManifestResourceNames()
                .Where(n => n.StartsWith(Prefix, System.StringComparison.Ordinal))
                .OrderBy(n => n, System.StringComparer.Ordinal)
                .Select(n =>
                {
                    using (var stream = assembly.GetManifestResourceStream(n)!)
                    using (var copy = new MemoryStream())
                    {
                        stream.CopyTo(copy);
                        return (n.Substring(Prefix.Length).Replace('\\', '/'), copy.ToArray());
                    }
                })
                .ToList();
        }
    }
}
