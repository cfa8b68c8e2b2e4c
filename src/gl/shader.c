#include "gl/shader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gl/shader_embed.h"

const char *shader_source(const char *file)
{
    for (const vp_shader_file *f = vp_shader_files; f->name; f++)
        if (strcmp(f->name, file) == 0)
            return f->text;
    return NULL;
}

static void print_numbered(const char *file, const char *text)
{
    fprintf(stderr, "--- shaders/%s ---\n", file);
    int line = 1;
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        int len = nl ? (int)(nl - p) : (int)strlen(p);
        fprintf(stderr, "%4d  %.*s\n", line++, len, p);
        if (!nl)
            break;
        p = nl + 1;
    }
}

GLuint shader_compile_text(GLenum type, const char *file, const char *text, const char *defines,
                           vp_err *err)
{
    /* The file itself has no #version line, so variants can add #defines first;
     * "#line 1" makes the driver count lines as the file does. */
    const char *parts[4] = {"#version 450 core\n", defines ? defines : "", "#line 1\n", text};
    GLuint sh = glCreateShader(type);
    glShaderSource(sh, 4, parts, NULL);
    glCompileShader(sh);
    GLint ok = 0;
    glGetShaderiv(sh, GL_COMPILE_STATUS, &ok);
    if (!ok) {
        char log[2048] = "";
        glGetShaderInfoLog(sh, sizeof log, NULL, log);
        size_t n = strlen(log);
        while (n && (log[n - 1] == '\n' || log[n - 1] == ' '))
            log[--n] = 0;
        print_numbered(file, text);
        vp_err_set(err, "shaders/%s: compile error (driver says \"0:LINE\" for line LINE of the file): %s",
                   file, log);
        glDeleteShader(sh);
        return 0;
    }
    return sh;
}

static GLuint link(GLuint *shaders, int n, const char *what, vp_err *err)
{
    GLuint prog = glCreateProgram();
    for (int i = 0; i < n; i++)
        glAttachShader(prog, shaders[i]);
    glLinkProgram(prog);
    for (int i = 0; i < n; i++)
        glDeleteShader(shaders[i]);
    GLint ok = 0;
    glGetProgramiv(prog, GL_LINK_STATUS, &ok);
    if (!ok) {
        char log[2048] = "";
        glGetProgramInfoLog(prog, sizeof log, NULL, log);
        vp_err_set(err, "shaders/%s: link error: %s", what, log);
        glDeleteProgram(prog);
        return 0;
    }
    return prog;
}

static GLuint compile(GLenum type, const char *file, const char *defines, vp_err *err)
{
    const char *text = shader_source(file);
    if (!text) {
        vp_err_set(err, "shaders/%s: not embedded in this build", file);
        return 0;
    }
    return shader_compile_text(type, file, text, defines, err);
}

GLuint shader_program_compute(const char *file, const char *defines, vp_err *err)
{
    GLuint cs = compile(GL_COMPUTE_SHADER, file, defines, err);
    if (!cs)
        return 0;
    return link(&cs, 1, file, err);
}

GLuint shader_program_render(const char *vert_file, const char *frag_file, const char *defines,
                             vp_err *err)
{
    GLuint sh[2];
    sh[0] = compile(GL_VERTEX_SHADER, vert_file, defines, err);
    if (!sh[0])
        return 0;
    sh[1] = compile(GL_FRAGMENT_SHADER, frag_file, defines, err);
    if (!sh[1]) {
        glDeleteShader(sh[0]);
        return 0;
    }
    return link(sh, 2, frag_file, err);
}
