using System;
using System.IO;
using System.Threading;
using MlOps.Cdf;
using MlOps.Diagnostics;
using MlOps.Packaging;
using MlOps.Registry;
using MlOps.Services;

namespace MlOps.Platforms
{
    /// <summary>
    /// Local copies of the packages deployed to CDF Functions, by SHA-256: kept when a deploy switches, downloaded from the
    /// function's code file (and checked against the hash) when a rollback or Save needs one that is not here.
    /// </summary>
    internal sealed class CdfPackageCache
    {
        private readonly string _folder;
        private readonly ICdfFiles _files;

        public CdfPackageCache(string folder, ICdfFiles files)
        {
            _folder = folder;
            _files = files;
        }

        public string PathOf(string sha256) => Path.Combine(_folder, sha256 + ".zip");

        /// <summary>Keeps a copy of a package just deployed (best effort: two deploys of one package may race; either copy is the same).</summary>
        public void Keep(ServicePackage package)
        {
            var target = PathOf(package.Sha256);
            if (!File.Exists(target) && File.Exists(package.Path))
            {
                Directory.CreateDirectory(_folder);
                var temp = target + "." + Guid.NewGuid().ToString("N") + ".tmp";
                File.Copy(package.Path, temp);
                try
                {
                    File.Move(temp, target);
                }
                catch (IOException)
                {
                    File.Delete(temp);
                }
            }
        }

        /// <summary>A local copy of a deployment's package: from the cache, else downloaded from CDF Files and checked against its SHA-256.</summary>
        public string Fetch(string serviceName, string sha256, long fileId, CancellationToken cancellationToken)
        {
            var target = PathOf(sha256);
            if (File.Exists(target))
            {
                return target;
            }

            Directory.CreateDirectory(_folder);
            var temp = target + "." + Guid.NewGuid().ToString("N") + ".tmp";
            try
            {
                using (var source = _files.DownloadAsync(Identity.Create(fileId), cancellationToken).GetAwaiter().GetResult())
                using (var output = File.Create(temp))
                {
                    source.CopyToAsync(output, 81920, cancellationToken).GetAwaiter().GetResult();
                }

                var actual = ContentHash.OfFile(temp);
                if (!string.Equals(actual, sha256, StringComparison.OrdinalIgnoreCase))
                {
                    throw new MlOpsException(ErrorIds.ContentHashMismatch, MlOpsErrorKind.InvalidData,
                        $"The code file {fileId} of {serviceName} does not match its package hash.", serviceName, "Deploy the service again.");
                }

                File.Move(temp, target);
                return target;
            }
            finally
            {
                if (File.Exists(temp))
                {
                    File.Delete(temp);
                }
            }
        }
    }
}
