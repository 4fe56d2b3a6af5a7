using System.IO.Compression;
using System.Text;
using System.Text.Json;
using MlOps.Diagnostics;
using MlOps.Python;
using MlOps.Registry;
using MlOps.Streams;
using Xunit;

namespace MlOps.Core.Tests.Registry;

/// <summary>
/// The pieces that let a CDF publish stream its archive: the archive's exact length known before writing it (tar and
/// stored gzip), the gzip CRC-32, and Python (as akerbp.mlops) reading the result.
/// </summary>
public class StreamedArchiveTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mlops-stream-" + Guid.NewGuid().ToString("N"));

    public StreamedArchiveTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public void Crc32_matches_the_check_value_and_the_gzip_trailer_in_any_chunking()
    {
        Assert.Equal(0xCBF43926u, Crc32.Append(0, "123456789"u8.ToArray(), 0, 9));
        Assert.Equal(0xCBF43926u, Crc32.Managed(0, "123456789"u8.ToArray(), 0, 9));
        Assert.True(Crc32.IsNative, "on .NET the runtime's zlib computes CRC-32 (the fast path)");

        var random = new Random(3);
        foreach (var length in new[] { 0, 1, 15, 16, 17, 255, 4096, 100_003 })
        {
            var data = Bytes(length + 7, length);
            var offset = random.Next(0, 7);

            // Reference: what .NET's gzip (zlib) writes into the trailer.
            uint expected;
            using (var gz = new MemoryStream())
            {
                using (var gzip = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
                {
                    gzip.Write(data, offset, length);
                }

                // Nothing written, nothing out: the CRC of no bytes is 0.
                var bytes = gz.ToArray();
                expected = bytes.Length == 0 ? 0 : BitConverter.ToUInt32(bytes, bytes.Length - 8);
            }

            Assert.Equal(expected, Crc32.Append(0, data, offset, length));
            Assert.Equal(expected, Crc32.Managed(0, data, offset, length));
            uint chunked = 0, managed = 0;
            for (var at = 0; at < length;)
            {
                var n = Math.Min(length - at, random.Next(1, 5000));
                chunked = Crc32.Append(chunked, data, offset + at, n);
                managed = Crc32.Managed(managed, data, offset + at, n);
                at += n;
            }

            Assert.Equal(expected, chunked);
            Assert.Equal(expected, managed);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(65_534)]
    [InlineData(65_535)]
    [InlineData(65_536)]
    [InlineData(3 * 65_535)]
    [InlineData(1_000_003)]
    public void A_stored_gzip_has_the_length_predicted_and_reads_back(int length)
    {
        var content = Bytes(length, length);
        using var output = new MemoryStream();
        var gzip = new StoredGzipStream(output, length);
        var random = new Random(length);
        for (var at = 0; at < length;)
        {
            var n = Math.Min(length - at, random.Next(1, 200_000));
            gzip.Write(content, at, n);
            at += n;
        }

        gzip.Finish();
        Assert.Equal(StoredGzipStream.LengthFor(length), output.Length);

        output.Position = 0;
        using var read = new GZipStream(output, CompressionMode.Decompress);
        using var back = new MemoryStream();
        read.CopyTo(back);
        Assert.Equal(content, back.ToArray());
    }

    [Fact]
    public void A_stored_gzip_refuses_more_or_fewer_bytes_than_declared()
    {
        var tooMany = new StoredGzipStream(new MemoryStream(), 10);
        Assert.Throws<InvalidDataException>(() => tooMany.Write(new byte[11], 0, 11));
        var tooFew = new StoredGzipStream(new MemoryStream(), 10);
        tooFew.Write(new byte[9], 0, 9);
        Assert.Throws<InvalidDataException>(() => tooFew.Finish());
    }

    [Fact]
    public void The_tar_length_is_known_before_writing()
    {
        var files = new (string Path, int Length)[]
        {
            ("a", 0), ("b.bin", 1), ("c/d.bin", 511), ("c/e.bin", 512), ("c/f.bin", 513), ("sub/ünïcode.txt", 3),
            ("sub/" + new string('n', 120) + "/long-name.json", 1000), (new string('x', 99) + ".y", 7),
        };
        using var output = new MemoryStream();
        using (var tar = new TarArchiveWriter(output))
        {
            foreach (var (path, length) in files)
            {
                tar.WriteFile(path, length, new MemoryStream(new byte[length]));
            }
        }

        Assert.Equal(ArchivePacker.TarLength(files.Select(f => new ArtifactFile(f.Path, f.Length, null))), output.Length);
    }

    [Fact]
    public void Python_reads_a_streamed_archive_as_akerbp_mlops_does()
    {
        var artifact = Path.Combine(_folder, "artifact");
        Directory.CreateDirectory(Path.Combine(artifact, "sub"));
        File.WriteAllBytes(Path.Combine(artifact, "model.bin"), Bytes(300_000, 1));
        File.WriteAllBytes(Path.Combine(artifact, "sub", "ünïcode-" + new string('n', 110) + ".txt"), Encoding.UTF8.GetBytes("ü"));
        File.WriteAllBytes(Path.Combine(artifact, "empty"), Array.Empty<byte>());
        var source = FolderArtifactSource.Open(artifact);
        var tarLength = ArchivePacker.TarLength(source.Files);
        var archive = Path.Combine(_folder, "archive.tar.gz");
        List<ArtifactFile> files;
        using (var output = File.Create(archive))
        {
            var gzip = new StoredGzipStream(output, tarLength);
            files = ArchivePacker.WriteTar(source, gzip, new TransferProgress(source, "test", NullReporter.Instance), default);
            gzip.Finish();
        }

        Assert.Equal(StoredGzipStream.LengthFor(tarLength), new FileInfo(archive).Length);

        // gzip.decompress checks the CRC-32 and length in the trailer; akerbp.mlops unpacks with shutil.unpack_archive.
        var python = PythonLocator.Find(null, _folder, new System.Collections.Hashtable());
        var script = string.Join("\n",
            "import gzip, hashlib, json, os, shutil, sys",
            "gzip.decompress(open(sys.argv[1], 'rb').read())",
            "shutil.unpack_archive(sys.argv[1], sys.argv[2])",
            "out = {}",
            "for root, _, names in os.walk(sys.argv[2]):",
            "    for name in names:",
            "        path = os.path.join(root, name)",
            "        out[os.path.relpath(path, sys.argv[2]).replace(os.sep, '/')] = hashlib.sha256(open(path, 'rb').read()).hexdigest()",
            "print(json.dumps(out))");
        var run = ProcessRunner.Run(python.Path, new[] { "-c", script, archive, Path.Combine(_folder, "unpacked") }, _folder, null,
            TimeSpan.FromMinutes(1), default);
        Assert.True(run.ExitCode == 0, run.Tail());
        var fromPython = JsonSerializer.Deserialize<Dictionary<string, string>>(run.Output.Trim())!;
        Assert.Equal(files.ToDictionary(f => f.Path, f => f.Sha256!), fromPython);
    }

    private static byte[] Pass(int pass, int length) => Enumerable.Range(0, length).Select(i => (byte)(i * 7 + pass * 101)).ToArray();

    [Fact]
    public async Task A_pipe_read_again_from_the_start_runs_a_new_pass_and_returns_that_pass()
    {
        const int Length = (3 << 20) + 17;
        using var pipe = new ArchivePipe(Length, default);
        var upload = Task.Run(async () =>
        {
            // First attempt: part of the bytes, then the connection "drops"; the client seeks back and sends it all.
            var first = new byte[1 << 20];
            Assert.Equal(first.Length, ArtifactCopier.ReadFull(pipe, first));
            pipe.Position = 0;
            using var sent = new MemoryStream();
            await pipe.CopyToAsync(sent);
            return sent.ToArray();
        });

        var passes = 0;
        var result = await Task.Run(() => pipe.Produce(sink =>
        {
            var pass = ++passes;
            var bytes = Pass(pass, Length);
            for (var at = 0; at < Length; at += 100_000)
            {
                sink.Write(bytes, at, Math.Min(100_000, Length - at));
            }

            return pass;
        }, upload));

        Assert.Equal(2, result);
        Assert.Equal(2, pipe.Passes);
        Assert.Equal(Pass(2, Length), await upload);
    }

    [Fact]
    public async Task A_producer_failure_reaches_the_reader_and_a_retry_does_not_wait_for_a_pass()
    {
        using var pipe = new ArchivePipe(3 << 20, default);
        var failure = new MlOpsException(ErrorIds.ContentHashMismatch, MlOpsErrorKind.InvalidData, "damaged");
        var upload = Task.Run(async () =>
        {
            await Assert.ThrowsAsync<MlOpsException>(() => pipe.CopyToAsync(Stream.Null));
            pipe.Position = 0;
            await Assert.ThrowsAsync<MlOpsException>(() => pipe.CopyToAsync(Stream.Null));
            throw new IOException("the upload gave up");
        });

        var produce = Task.Run(() => pipe.Produce<int>(sink =>
        {
            sink.Write(new byte[3 << 19], 0, 3 << 19);
            throw failure;
        }, upload));

        Assert.Same(produce, await Task.WhenAny(produce, Task.Delay(TimeSpan.FromMinutes(1))));
        Assert.Same(failure, await Assert.ThrowsAsync<MlOpsException>(() => produce));
    }
}
