using System.Text.Json;
using MlOps.Deployment;
using MlOps.Diagnostics;
using MlOps.Registry;
using MlOps.Services;
using Xunit;

namespace MlOps.Resilience.Tests;

/// <summary>Deploy and call on CDF Functions under the suite's faults (see <see cref="FaultScenarios"/>).</summary>
public sealed partial class FaultScenarios
{
    /// <summary>
    /// Deploy-MlPredictionService of versions 1, 2, … in turn (what the deploy runs: model tests, package test, code
    /// upload, function create, build wait, the deployed service test, the history entry that switches the alias, tidy-up).
    /// After a failed attempt the alias serves the previous deployment (or the new one, complete and tested, if the
    /// failure came after the switch) and answers; at the end every version was deployed once in order, the alias serves
    /// the last, and no function is left that no history entry names.
    /// </summary>
    /// <summary>The deployer of an attempt: in the thin half the platform and the registry make one attempt per request.</summary>
    private static ServiceDeployer DeployerFor(ServiceProject services, FaultAttempt attempt) =>
        services.Deployer(attempt.Client, platformAttempts: attempt.Thin ? 1 : 6, registryAttempts: attempt.Thin ? 1 : 8);

    private sealed class DeployOperation : FaultOperation
    {
        private readonly RecordingReporter _reporter = new();
        private ServiceProject _services = null!;

        // A deploy makes some forty requests: two per half, and a thin rate at which about half of the attempts get through.
        public override int PerHalf => 2;

        public override double ThinRate => 0.02;

        public override int ThinStoreAttempts => 1;

        public override IEnumerable<string> Texts => _reporter.Warnings;

        public override IEnumerable<string> Folders => [_services.Root];

        public override void Prepare(FaultContext context)
        {
            _services = new ServiceProject(context.Cdf);
            using var client = Cdf.Client(context.Cdf);
            var registry = _services.Registry(client);
            for (var i = 0; i < context.Count; i++)
            {
                context.SourceVersions.Add(registry.Publish(ServiceProject.Model, ServiceProject.Environment, _services.ArtifactFolder,
                    new Dictionary<string, string> { ["n"] = (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) }, NullReporter.Instance, default));
            }
        }

        public override void Run(FaultContext context, FaultAttempt attempt, int index) =>
            DeployerFor(_services, attempt).Deploy(new DeployRequest(ServiceProject.Model, ServiceProject.Environment, ServiceKind.Prediction) { VersionNumber = index + 1 }, _reporter, default);

        public override void AssertNothingHalfDone(FaultContext context, int index)
        {
            using var client = Cdf.Client(context.Cdf);
            var deployer = _services.Deployer(client);
            var history = deployer.History(ServiceProject.Model, ServiceProject.Environment, ServiceKind.Prediction);
            var current = history.LastOrDefault(r => r.IsCurrent);
            if (current == null)
            {
                Assert.Equal(0, index);   // nothing was ever switched to
                return;
            }

            // The previous deployment, or this one if the failure came after the switch (then it is complete and tested).
            Assert.InRange(current.Version ?? 0, index, index + 1);
            Assert.True(current.TestsPassed);
            ServiceProject.AssertAnswers(deployer, current.ModelId!);
        }

        public override void AssertDone(FaultContext context)
        {
            using var client = Cdf.Client(context.Cdf);
            var deployer = _services.Deployer(client);
            var history = deployer.History(ServiceProject.Model, ServiceProject.Environment, ServiceKind.Prediction);

            // Each version in order; a version twice only where a deploy that had switched was reported failed and run again.
            Assert.Equal(Enumerable.Range(1, context.Count), history.Select(r => r.Version ?? 0).Distinct());
            Assert.Equal(history.Select(r => r.Version ?? 0).Order(), history.Select(r => r.Version ?? 0));
            Assert.All(history, r => Assert.True(r.TestsPassed));
            var current = history.Single(r => r.IsCurrent);
            Assert.Equal(context.SourceVersions[^1].ModelId, current.ModelId);
            ServiceProject.AssertAnswers(deployer, current.ModelId!);

            // No function was left behind half-done: every one is a deployment the history names (an unfinished one was
            // continued by the attempt after it), and older ones beyond the kept number are gone unless a deploy said it
            // could not delete them.
            var functions = _services.Functions();
            Assert.All(functions, f => Assert.Contains(history, r => r.DeploymentId == f.ExternalId));
            Assert.All(functions, f => Assert.Equal("Ready", f.Status));
            Assert.Contains(functions, f => f.ExternalId == current.DeploymentId);
            if (functions.Count > 2)
            {
                Assert.True(_reporter.Warnings.Any(w => w.Contains("deleting older functions", StringComparison.Ordinal)),
                    $"functions {string.Join(", ", functions.Select(f => f.ExternalId))} are left (2 kept) and no deploy said it could not delete them; history: "
                    + string.Join("; ", history.Select(r => $"{r.Sequence} {r.DeploymentId} v{r.Version}")) + "; warnings: " + string.Join(" | ", _reporter.Warnings));
            }
        }

        public override void Dispose() => _services?.Dispose();
    }

    /// <summary>
    /// Invoke-MlService on a deployed prediction service (session, call, polling, response): each call answers what the
    /// same call answers without faults, or fails with a transient CDF error and answers when called again; the
    /// deployment is untouched.
    /// </summary>
    private sealed class CallOperation : FaultOperation
    {
        private readonly List<string> _expected = [];
        private readonly Dictionary<int, string> _answers = [];
        private ServiceProject _services = null!;
        private string _deploymentId = null!;

        public override int ThinStoreAttempts => 1;

        public override IEnumerable<string> Folders => [_services.Root];

        public override void Prepare(FaultContext context)
        {
            _services = new ServiceProject(context.Cdf);
            using var client = Cdf.Client(context.Cdf);
            var registry = _services.Registry(client);
            context.SourceVersions.Add(registry.Publish(ServiceProject.Model, ServiceProject.Environment, _services.ArtifactFolder, null, NullReporter.Instance, default));
            var deployer = _services.Deployer(client);
            _deploymentId = deployer.Deploy(new DeployRequest(ServiceProject.Model, ServiceProject.Environment, ServiceKind.Prediction), NullReporter.Instance, default)
                .DeploymentId!;
            for (var i = 0; i < context.Count; i++)
            {
                _expected.Add(Answer(deployer, i, context));
            }
        }

        public override void Run(FaultContext context, FaultAttempt attempt, int index) =>
            _answers[index] = Answer(DeployerFor(_services, attempt), index, context);

        public override void AssertNothingHalfDone(FaultContext context, int index) => AssertUntouched();

        public override void AssertDone(FaultContext context)
        {
            Assert.Equal(_expected, Enumerable.Range(0, context.Count).Select(i => _answers[i]));
            AssertUntouched();
        }

        public override void Dispose() => _services?.Dispose();

        private static string Answer(ServiceDeployer deployer, int index, FaultContext context) =>
            JsonSerializer.Serialize(ServiceProject.AssertAnswers(deployer, context.SourceVersions[0].ModelId, index).Result);

        private void AssertUntouched()
        {
            var function = Assert.Single(_services.Functions());
            Assert.Equal(_deploymentId, function.ExternalId);
            Assert.Equal("Ready", function.Status);
        }
    }
}
