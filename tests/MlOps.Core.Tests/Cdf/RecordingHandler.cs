using System.Net;
using System.Text;

namespace MlOps.Core.Tests.Cdf;

/// <summary>A fake network for endpoints the emulator does not serve yet: records requests and answers from a table.</summary>
internal sealed class RecordingHandler(Func<HttpRequestMessage, string?, (HttpStatusCode Status, string Body)> answer) : HttpMessageHandler
{
    public List<(string Method, string Path, string? Body)> Requests { get; } = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        lock (Requests)
        {
            Requests.Add((request.Method.Method, request.RequestUri!.AbsolutePath, body));
        }

        var (status, text) = answer(request, body);
        var response = new HttpResponseMessage(status) { Content = new StringContent(text, Encoding.UTF8, "application/json") };
        response.Headers.Add("X-Request-ID", "req-" + Requests.Count);
        return response;
    }
}
