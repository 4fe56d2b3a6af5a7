using System.Collections;
using MlOps.Diagnostics;
using MlOps.Python;
using Xunit;

namespace MlOps.Core.Tests.Services;

public class PythonLocatorTests
{
    [Fact]
    public void An_interpreter_that_cannot_start_is_named_in_the_error()
    {
        var error = Assert.Throws<MlOpsException>(() =>
            PythonLocator.Find(null, Path.GetTempPath(), new Hashtable { ["MLOPS_PYTHON"] = "/nonexistent/python9" }));
        Assert.Equal(ErrorIds.PythonNotFound, error.ErrorId);
        Assert.Contains("$MLOPS_PYTHON", error.Message);
        Assert.Contains("/nonexistent/python9", error.Message);
    }

    [Fact]
    public void A_python_without_pytest_is_refused_with_the_fix()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var real = PythonLocator.Find(null, Path.GetTempPath(), new Hashtable());
        // The same interpreter started with -S (no site-packages) cannot import pytest.
        var wrapper = Path.Combine(Path.GetTempPath(), "mlops-nopytest-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(wrapper, $"#!/bin/sh\nexec {real.Path} -S \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var error = Assert.Throws<MlOpsException>(() => PythonLocator.Find(null, Path.GetTempPath(), new Hashtable { ["MLOPS_PYTHON"] = wrapper }));
            Assert.Equal(ErrorIds.PythonPackageMissing, error.ErrorId);
            Assert.Contains("pytest is not installed", error.Message);
            Assert.Contains("apt-get install python3-pytest", error.RecommendedAction);
        }
        finally
        {
            File.Delete(wrapper);
        }
    }

    [Fact]
    public void The_settings_python_is_used_when_MLOPS_PYTHON_is_not_set()
    {
        var real = PythonLocator.Find(null, Path.GetTempPath(), new Hashtable());
        var chosen = PythonLocator.Find(real.Path, Path.GetTempPath(), new Hashtable());
        Assert.True(chosen.HasPytest);
        Assert.EndsWith(Path.GetFileName(real.Path), chosen.Path);
    }
}
