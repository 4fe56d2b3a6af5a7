BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $ManifestPath -Force
    $savedEnv = $env:ENV, $env:MODEL_ENV
    $env:ENV = $null; $env:MODEL_ENV = $null
    $runbooks = Join-Path $RepoRoot 'scripts/runbooks'
    $project = New-ExampleProject -Prefix mlops-pester-runbooks
    Push-Location $project
    # In git, as a team's project is: versions and deployments record the commit.
    $commit = New-TestGitCommit $project -Message 'the example'
    $v1 = Publish-MlModelArtifact diabetes ./artifacts/diabetes -Environment test
    Deploy-MlPredictionService diabetes -Environment test | Out-Null
}

AfterAll {
    Get-MlService | Remove-MlService -Force -Confirm:$false
    Pop-Location
    Remove-ExampleProject $project
    $env:ENV, $env:MODEL_ENV = $savedEnv
}

Describe 'Runbooks have help and -WhatIf' {
    It '<_> has comment-based help with a synopsis and examples, and supports -WhatIf' -ForEach @('Invoke-MlProductionRelease.ps1', 'Update-MlEnvironment.ps1') {
        $help = Get-Help (Join-Path $runbooks $_)
        $help.Synopsis | Should -Not -BeNullOrEmpty
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 2
        (Get-Command (Join-Path $runbooks $_)).Parameters.Keys | Should -Contain 'WhatIf'
    }
}

Describe 'Invoke-MlProductionRelease' {
    It 'changes nothing with -WhatIf' {
        & (Join-Path $runbooks 'Invoke-MlProductionRelease.ps1') -Name diabetes -WhatIf
        Get-MlModelVersion diabetes -Environment prod -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Get-MlService diabetes -Environment prod | Should -BeNullOrEmpty
    }

    It 'promotes the latest tested version to prod, deploys and tests it' {
        $deployment = & (Join-Path $runbooks 'Invoke-MlProductionRelease.ps1') -Name diabetes -Confirm:$false
        $deployment.Environment | Should -Be 'prod'
        $deployment.ModelId | Should -Be 'diabetes/prod/1'
        (Get-MlModelVersion diabetes -Environment prod -Version 1).PromotedFrom | Should -Be $v1.ModelId
        (Get-MlService diabetes -Environment prod).Status | Should -Be 'Running'
    }

    It 'rolls prod back when the tests after the deploy fail' {
        Publish-MlModelArtifact diabetes ./artifacts/diabetes -Environment test | Out-Null
        Deploy-MlPredictionService diabetes -Environment test | Out-Null
        { & (Join-Path $runbooks 'Invoke-MlProductionRelease.ps1') -Name diabetes -Confirm:$false -SmokeTest { throw 'smoke test: wrong answer' } } |
            Should -Throw '*smoke test: wrong answer*Rolled diabetes-prediction-prod back to diabetes/prod/1*'
        (Get-MlService diabetes -Environment prod).ModelId | Should -Be 'diabetes/prod/1'
        (Get-MlDeploymentHistory diabetes -Environment prod).Action | Should -Be @('deploy', 'deploy', 'rollback')
        (Invoke-MlPrediction diabetes -Environment prod -Json '{"age":[0.03],"sex":[0.05],"bmi":[0.06],"bp":[0.02],"s1":[-0.04],"s2":[-0.03],"s3":[-0.04],"s4":[0],"s5":[0.02],"s6":[-0.02]}').ModelId |
            Should -Be 'diabetes/prod/1'
    }

    It 'records the commit of every release, which -Commit finds' {
        $prod = Get-MlDeploymentHistory diabetes -Environment prod
        $prod.Revision.Commit | Select-Object -Unique | Should -Be $commit
        @(Get-MlDeploymentHistory diabetes -Environment prod -Commit $commit.Substring(0, 7)).Count | Should -Be $prod.Count
        @(Get-MlDeploymentHistory diabetes -Environment prod -Commit $commit.Substring(0, 7) -Last 1).Action | Should -Be 'rollback'
        Get-MlDeploymentHistory diabetes -Environment prod -Commit 0000000 | Should -BeNullOrEmpty
        (Get-MlModelVersion diabetes -Environment prod -Latest).Revision.Commit | Should -Be $commit
        { Get-MlDeploymentHistory diabetes -Environment prod -Commit main -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
    }

    It 'says what to do when nothing was tested in test' {
        { & (Join-Path $runbooks 'Invoke-MlProductionRelease.ps1') -Name diabetes -SourceEnvironment dev -Confirm:$false } |
            Should -Throw "*has no prediction service serving a tested version in dev*"
    }
}

Describe 'Update-MlEnvironment' {
    It 'changes nothing with -WhatIf' {
        $before = @(Get-MlDeploymentHistory diabetes -Environment test).Count
        & (Join-Path $runbooks 'Update-MlEnvironment.ps1') -Environment test -WhatIf
        @(Get-MlDeploymentHistory diabetes -Environment test).Count | Should -Be $before
        Get-MlService diabetes -Environment test -Service Training | Should -BeNullOrEmpty
    }

    It 'redeploys every service of every model to the environment' {
        $before = @(Get-MlDeploymentHistory diabetes -Environment test).Count
        $deployments = & (Join-Path $runbooks 'Update-MlEnvironment.ps1') -Environment test -Confirm:$false
        $deployments.Name | Sort-Object | Should -Be @('diabetes-prediction-test', 'diabetes-training-test')
        @(Get-MlDeploymentHistory diabetes -Environment test).Count | Should -Be ($before + 1)
        (Get-MlService diabetes -Environment test -Service Training).Status | Should -Be 'Running'
    }
}
