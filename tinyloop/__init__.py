"""tinyloop"""
