// Keep test output readable: services log JSON at warn and above unless LOG_LEVEL says otherwise.
process.env.LOG_LEVEL = process.env.LOG_LEVEL || 'warn';
