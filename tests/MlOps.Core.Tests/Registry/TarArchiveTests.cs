using System.IO.Compression;
using System.Text;
using System.Text.Json;
using MlOps.Python;
using MlOps.Registry;
using MlOps.Streams;
using Xunit;

namespace MlOps.Core.Tests.Registry;

/// <summary>The tar.gz format akerbp.mlops keeps versions in: written by us and read by Python's tarfile, and the reverse.</summary>
public class TarArchiveTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mlops-tar-" + Guid.NewGuid().ToString("N"));

    public TarArchiveTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly (string Path, byte[] Content)[] Files =
    {
        ("model.pkl", Bytes(1 << 20, 1)),
        ("empty.txt", Array.Empty<byte>()),
        ("sub/dir/weights.bin", Bytes(513, 2)),
        ("sub/" + new string('n', 120) + "/deep-file-name-that-is-long.json", Encoding.UTF8.GetBytes("{\"long\": true}")),
        ("sub/ünïcode.txt", Encoding.UTF8.GetBytes("ü")),
    };

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private string WriteOurs()
    {
        var path = Path.Combine(_folder, "ours.tar.gz");
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Optimal);
        using var tar = new TarArchiveWriter(gzip);
        foreach (var (name, content) in Files)
        {
            tar.WriteFile(name, content.Length, new MemoryStream(content));
        }

        return path;
    }

    private static Dictionary<string, byte[]> ReadAll(string archive)
    {
        var result = new Dictionary<string, byte[]>();
        using var file = File.OpenRead(archive);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        foreach (var (path, length, content) in new TarArchiveReader(gzip).ReadFiles())
        {
            using var copy = new MemoryStream();
            content.CopyTo(copy);
            Assert.Equal(length, copy.Length);
            result[path] = copy.ToArray();
        }

        return result;
    }

    [Fact]
    public void Round_trips_long_unicode_empty_and_large_files()
    {
        var read = ReadAll(WriteOurs());
        Assert.Equal(Files.Select(f => f.Path).OrderBy(p => p), read.Keys.OrderBy(p => p));
        foreach (var (name, content) in Files)
        {
            Assert.Equal(content, read[name]);
        }
    }

    [Fact]
    public void Same_files_give_the_same_archive()
    {
        // Nothing of the moment it was written goes in: every header's modification time is zero (no sleeping between
        // two writes to find out), so the same files always give the same bytes.
        var first = File.ReadAllBytes(WriteOurs());
        Assert.Equal(first, File.ReadAllBytes(WriteOurs()));
        using var tar = new MemoryStream();
        using (var gzip = new GZipStream(new MemoryStream(first), CompressionMode.Decompress))
        {
            gzip.CopyTo(tar);
        }

        var bytes = tar.ToArray();
        var headers = 0;
        for (var at = 0; at + 512 <= bytes.Length && bytes[at] != 0; headers++)
        {
            Assert.Equal("00000000000", System.Text.Encoding.ASCII.GetString(bytes, at + 136, 11));
            var size = Convert.ToInt64(System.Text.Encoding.ASCII.GetString(bytes, at + 124, 11), 8);
            at += 512 + (int)((size + 511) / 512 * 512);
        }

        Assert.True(headers >= Files.Count(), $"{headers} headers for {Files.Count()} files"); // long names add a header of their own
    }

    [Fact]
    public void Python_reads_our_archives_and_we_read_shutil_make_archive()
    {
        var python = PythonLocator.Find(null, _folder, new System.Collections.Hashtable());
        var ours = WriteOurs();
        var listing = ProcessRunner.Run(python.Path, new[] { "-c",
            "import json, sys, tarfile\nwith tarfile.open(sys.argv[1]) as t:\n" +
            "    print(json.dumps({m.name: t.extractfile(m).read().hex() for m in t.getmembers() if m.isfile()}))", ours },
            _folder, null, TimeSpan.FromMinutes(1), default);
        Assert.True(listing.ExitCode == 0, listing.Tail());
        var fromPython = JsonSerializer.Deserialize<Dictionary<string, string>>(listing.Output.Trim())!;
        foreach (var (name, content) in Files)
        {
            Assert.Equal(Convert.ToHexStringLower(content), fromPython[name]);
        }

        // akerbp.mlops archives a folder with shutil.make_archive(base, 'gztar', folder): "./" names, directory entries.
        var source = Path.Combine(_folder, "artifact");
        foreach (var (name, content) in Files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(source, name))!);
            File.WriteAllBytes(Path.Combine(source, name), content);
        }

        var made = ProcessRunner.Run(python.Path, new[] { "-c",
            "import os, shutil, sys\nprint(shutil.make_archive(os.path.join(sys.argv[1], 'archive'), 'gztar', sys.argv[1]))", source },
            _folder, null, TimeSpan.FromMinutes(1), default);
        Assert.True(made.ExitCode == 0, made.Tail());
        var read = ReadAll(made.Output.Trim());
        Assert.Equal(Files.Select(f => f.Path).OrderBy(p => p, StringComparer.Ordinal), read.Keys.OrderBy(p => p, StringComparer.Ordinal));
        Assert.Equal(Files[0].Content, read["model.pkl"]);
    }

    [Theory]
    [InlineData("../escape.txt")]
    [InlineData("a/../../escape.txt")]
    [InlineData("/etc/passwd")]
    public void Names_that_escape_the_archive_are_refused(string name) =>
        Assert.Throws<InvalidDataException>(() => TarArchiveReader.Normalise(name));

    [Fact]
    public void A_truncated_archive_is_an_error()
    {
        var bytes = File.ReadAllBytes(WriteOurs());
        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var raw = new MemoryStream();
        gzip.CopyTo(raw);
        var truncated = new MemoryStream(raw.ToArray().Take(600_000).ToArray());
        Assert.Throws<InvalidDataException>(() =>
        {
            foreach (var (_, _, content) in new TarArchiveReader(truncated).ReadFiles())
            {
                content.CopyTo(Stream.Null);
            }
        });
    }
}
