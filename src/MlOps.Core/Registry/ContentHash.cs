using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using MlOps.Streams;

namespace MlOps.Registry
{
    /// <summary>
    /// The hash that identifies an artifact's content: SHA-256 over each file's path, size and SHA-256, in
    /// ordinal path order. Two versions with the same content hash hold the same bytes under the same names.
    /// </summary>
    public static class ContentHash
    {
        public const string Prefix = "sha256:";

        public static string Compute(IEnumerable<ArtifactFile> files)
        {
            var text = new StringBuilder();
            foreach (var file in files.OrderBy(f => f.Path, StringComparer.Ordinal))
            {
                text.Append(file.Path).Append('\n').Append(file.Length).Append('\n').Append(file.Sha256).Append('\n');
            }

            using (var sha = SHA256.Create())
            {
                return Prefix + ToHex(sha.ComputeHash(Encoding.UTF8.GetBytes(text.ToString())));
            }
        }

        /// <summary>The SHA-256 of a file's bytes, lower-case hex.</summary>
        public static string OfFile(string path)
        {
            using (var stream = System.IO.File.OpenRead(path))
            using (var sha = SHA256.Create())
            {
                return ToHex(sha.ComputeHash(stream));
            }
        }

        public static string ToHex(byte[] bytes)
        {
            return Hex.Lower(bytes);
        }
    }
}
